import { checkImageBytes, checkJpegScans, DEFAULT_JPEG_DECODER, decodeImage, decodeWhole, type DecodeLimits, type ImageHeader, readImageHeader, scaledSize } from './image.decoder';
import { type RgbImage, wipe } from './rgb-image';

// Small enough that a full decode costs little even for a highly compressed large image.
const SMALL_INPUT_BYTES = 128 * 1024;

/** A decoded copy of the image and its scale (decoded pixels per displayed pixel). */
export interface ScaledImage {
  readonly image: RgbImage;
  readonly scaleX: number;
  readonly scaleY: number;
  /** Where `image` starts in the whole image at this scale: 0, 0 unless it is a region. */
  readonly left: number;
  readonly top: number;
}

/** A rectangle in displayed pixels (x2, y2 exclusive). */
export interface DisplayedBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

// A region decode is not worth it when it would cover most of the image.
const REGION_MAX_SHARE = 0.6;
// Pixels kept around a region: bilinear taps reach one pixel beyond a sample, plus rounding.
const REGION_MARGIN = 2;

/**
 * The image behind one analysis, decoded on demand at the scales asked for: a large photo is decoded
 * small for detection and again finer only when small faces need it. Owns every buffer it decodes.
 */
export class ImageSource {
  private readonly decoded: ScaledImage[] = [];
  /** Region decodes: never reused (partial), wiped with the rest. */
  private readonly regions: ScaledImage[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    readonly header: ImageHeader,
    private readonly limits: DecodeLimits,
    private readonly decoder = DEFAULT_JPEG_DECODER,
  ) {}

  /**
   * Checks the bytes and reads the header. Small inputs (thumbnails, LFW-size photos) are decoded whole
   * at once instead: they are wanted at full size anyway, and one decoder pass is half the cost of two.
   */
  static async open(bytes: Uint8Array, limits: DecodeLimits, decoder = DEFAULT_JPEG_DECODER): Promise<ImageSource> {
    const format = checkImageBytes(bytes, limits);
    if (format === 'jpeg') checkJpegScans(bytes);
    if (bytes.length > SMALL_INPUT_BYTES) return new ImageSource(bytes, await readImageHeader(bytes, limits), limits, decoder);
    const { header, image } = await decodeWhole(bytes, format, limits, decoder);
    const source = new ImageSource(bytes, header, limits, decoder);
    source.decoded.push({ image, scaleX: 1, scaleY: 1, left: 0, top: 0 });
    return source;
  }

  /**
   * An image at `scale` (capped at 1) or finer. A decode already made is reused when it is at least
   * `scale / tolerance`: re-decoding for a few per cent more pixels is not worth it.
   */
  async at(scale: number, tolerance = 1): Promise<ScaledImage> {
    const wanted = Math.min(1, scale);
    const reusable = this.reusable(wanted, tolerance);
    if (reusable) return reusable;
    const image = await decodeImage(this.bytes, this.header, this.limits, wanted, undefined, this.decoder);
    const scaled = { image, scaleX: image.width / this.header.width, scaleY: image.height / this.header.height, left: 0, top: 0 };
    this.decoded.push(scaled);
    return scaled;
  }

  /**
   * `box` (displayed pixels) at `scale` or finer, for crops: a whole decode fine enough (see at()) is
   * reused; otherwise only the box's part of the image is decoded at `scale` (the same pixels as a
   * whole decode would have there), far cheaper than a whole finer decode of a large photo.
   */
  async region(scale: number, tolerance: number, box: DisplayedBox): Promise<ScaledImage> {
    const wanted = Math.min(1, scale);
    const reusable = this.reusable(wanted, tolerance);
    if (reusable) return reusable;
    const { width, height } = scaledSize(this.header, wanted);
    const scaleX = width / this.header.width, scaleY = height / this.header.height;
    // Displayed pixel centres map to decoded ones as (v + 0.5) * scale - 0.5.
    const left = Math.max(0, Math.floor(box.x1 * scaleX - 0.5) - REGION_MARGIN);
    const top = Math.max(0, Math.floor(box.y1 * scaleY - 0.5) - REGION_MARGIN);
    const right = Math.min(width, Math.ceil(box.x2 * scaleX + 0.5) + REGION_MARGIN);
    const bottom = Math.min(height, Math.ceil(box.y2 * scaleY + 0.5) + REGION_MARGIN);
    if (right <= left || bottom <= top || (right - left) * (bottom - top) > REGION_MAX_SHARE * width * height) return this.at(scale, tolerance);
    const image = await decodeImage(this.bytes, this.header, this.limits, wanted, { left, top, width: right - left, height: bottom - top }, this.decoder);
    const scaled = { image, scaleX, scaleY, left, top };
    this.regions.push(scaled);
    return scaled;
  }

  /** The coarsest whole decode at `wanted / tolerance` or finer, if one was made. */
  private reusable(wanted: number, tolerance: number): ScaledImage | undefined {
    return this.decoded.filter((d) => d.scaleX * tolerance >= wanted * 0.999).sort((a, b) => a.scaleX - b.scaleX)[0];
  }

  /** The finest decode made so far (detection always makes one). */
  finest(): ScaledImage | undefined {
    return [...this.decoded].sort((a, b) => b.scaleX - a.scaleX)[0];
  }

  /** Zero-fills every decoded buffer (privacy); the source is unusable afterwards. */
  wipe(): void {
    wipe(...this.decoded.map((d) => d.image), ...this.regions.map((d) => d.image));
    this.decoded.length = 0;
    this.regions.length = 0;
  }
}
