import { checkImageBytes, decodeImage, decodeWhole, type DecodeLimits, type ImageHeader, readImageHeader } from './image.decoder';
import { type RgbImage, wipe } from './rgb-image';

// Small enough that a full decode costs little even for a highly compressed large image.
const SMALL_INPUT_BYTES = 128 * 1024;

/** A decoded copy of the image and its scale (decoded pixels per displayed pixel). */
export interface ScaledImage {
  readonly image: RgbImage;
  readonly scaleX: number;
  readonly scaleY: number;
}

/**
 * The image behind one analysis, decoded on demand at the scales asked for: a large photo is decoded
 * small for detection and again finer only when small faces need it. Owns every buffer it decodes.
 */
export class ImageSource {
  private readonly decoded: ScaledImage[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    readonly header: ImageHeader,
    private readonly limits: DecodeLimits,
  ) {}

  /**
   * Checks the bytes and reads the header. Small inputs (thumbnails, LFW-size photos) are decoded whole
   * at once instead: they are wanted at full size anyway, and one decoder pass is half the cost of two.
   */
  static async open(bytes: Uint8Array, limits: DecodeLimits): Promise<ImageSource> {
    const format = checkImageBytes(bytes, limits);
    if (bytes.length > SMALL_INPUT_BYTES) return new ImageSource(bytes, await readImageHeader(bytes, limits), limits);
    const { header, image } = await decodeWhole(bytes, format, limits);
    const source = new ImageSource(bytes, header, limits);
    source.decoded.push({ image, scaleX: 1, scaleY: 1 });
    return source;
  }

  /**
   * An image at `scale` (capped at 1) or finer. A decode already made is reused when it is at least
   * `scale / tolerance`: re-decoding for a few per cent more pixels is not worth it.
   */
  async at(scale: number, tolerance = 1): Promise<ScaledImage> {
    const wanted = Math.min(1, scale);
    const reusable = this.decoded.filter((d) => d.scaleX * tolerance >= wanted * 0.999).sort((a, b) => a.scaleX - b.scaleX)[0];
    if (reusable) return reusable;
    const image = await decodeImage(this.bytes, this.header, this.limits, wanted);
    const scaled = { image, scaleX: image.width / this.header.width, scaleY: image.height / this.header.height };
    this.decoded.push(scaled);
    return scaled;
  }

  /** The finest decode made so far (detection always makes one). */
  finest(): ScaledImage | undefined {
    return [...this.decoded].sort((a, b) => b.scaleX - a.scaleX)[0];
  }

  /** Zero-fills every decoded buffer (privacy); the source is unusable afterwards. */
  wipe(): void {
    wipe(...this.decoded.map((d) => d.image));
    this.decoded.length = 0;
  }
}
