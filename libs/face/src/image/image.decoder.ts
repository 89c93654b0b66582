import sharp, { type Metadata } from 'sharp';
import { FaceError } from '../face.error';
import { type ImageFormat, SHARP_FORMAT, sniffImageFormat, type UnsupportedKind } from './image-format.sniffer';
import { loadPixelsAddon } from './pixels-addon.loader';
import type { RgbImage } from './rgb-image';

/**
 * Who decodes JPEG: 'libjpeg' (the native addon, straight to RGB with libjpeg-turbo's DCT scaling, where
 * it is built; ~0.2 ms instead of ~1.5 ms for a 250x250 photo) or 'sharp' always. The addon takes clean,
 * upright 8-bit JPEGs only and hands everything else (orientation, CMYK, corrupt or truncated data,
 * regions) to sharp, which then decides the error codes; full-size decodes are the same pixels either way.
 */
export type JpegDecoder = 'libjpeg' | 'sharp';
export const JPEG_DECODERS: readonly JpegDecoder[] = ['libjpeg', 'sharp'];
export const DEFAULT_JPEG_DECODER: JpegDecoder = 'libjpeg';

export interface DecodeLimits {
  readonly maxBytes: number;
  readonly maxPixels: number;
}

/** What the header says, checked against the limits; nothing is decoded yet. */
export interface ImageHeader {
  readonly format: ImageFormat;
  /** Size as displayed (EXIF orientation applied). */
  readonly width: number;
  readonly height: number;
}

const UNSUPPORTED_DETAIL: Readonly<Record<UnsupportedKind, string>> = {
  svg: 'SVG is not a supported image format',
  html: 'HTML is not a supported image format',
  xml: 'XML is not a supported image format',
  pdf: 'PDF is not a supported image format',
  heic: 'HEIC/HEIF is not a supported image format',
  text: 'text is not a supported image format',
  empty: 'the image is empty',
  unknown: 'the bytes are not a supported image format',
};

const SUPPORTED = 'JPEG, PNG, WebP, AVIF, TIFF or GIF';

/** Checks size and format before anything parses the bytes, so no loader ever sees refused input. */
export function checkImageBytes(bytes: Uint8Array, limits: DecodeLimits): ImageFormat {
  if (bytes.length > limits.maxBytes) {
    throw new FaceError('too_large', `the image is ${bytes.length} bytes; the limit is ${limits.maxBytes}`);
  }
  // Zero bytes is an upload that lost its content, not another format.
  if (bytes.length === 0) throw new FaceError('corrupt_image', UNSUPPORTED_DETAIL.empty);
  const sniffed = sniffImageFormat(bytes);
  if (!sniffed.supported) throw new FaceError('unsupported_format', `${UNSUPPORTED_DETAIL[sniffed.kind]}; send ${SUPPORTED}`);
  return sniffed.format;
}

/**
 * Most scans a JPEG may hold. A progressive JPEG has about 10; thousands of tiny ones make a decoder run
 * its coefficient pass once per scan (a known decompression bomb, which djpeg caps with -maxscans).
 * Neither libjpeg nor libvips caps them, so the count is checked before either decoder sees the file.
 */
export const MAX_JPEG_SCANS = 500;

/**
 * Start-of-scan markers in a JPEG, walking its segments (APPn payloads such as an EXIF thumbnail are
 * skipped by their length) and its entropy-coded data (0xFF there is stuffing or a restart marker).
 * Bytes between segments are skipped to the next marker, as libjpeg does. Stops counting past `limit`;
 * a stream that ends early returns what was counted (the decoder judges it).
 */
export function countJpegScans(bytes: Uint8Array, limit = MAX_JPEG_SCANS): number {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = data.length;
  let scans = 0;
  for (let i = 2; i + 1 < n; ) {
    if (data[i] !== 0xff) {
      // Stray bytes between segments: libjpeg skips to the next marker (with a warning), so does the count.
      i = data.indexOf(0xff, i);
      if (i < 0) return scans;
      continue;
    }
    const marker = data[i + 1]!;
    if (marker === 0xff) i++; // fill byte
    else if (marker === 0xd9) return scans; // end of image
    else if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) i += 2; // no length
    else if (i + 3 >= n) return scans;
    else {
      i += 2 + ((data[i + 2]! << 8) | data[i + 3]!);
      if (marker !== 0xda) continue;
      if (++scans > limit) return scans;
      // The scan's entropy-coded data runs to the next marker that is neither stuffing (FF 00) nor RSTn.
      for (i = data.indexOf(0xff, i); i >= 0 && i + 1 < n; i = data.indexOf(0xff, i + 2)) {
        const next = data[i + 1]!;
        if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
      }
      if (i < 0) return scans;
    }
  }
  return scans;
}

/** Refuses a JPEG with more scans than MAX_JPEG_SCANS (corrupt_image) before any decoder runs. */
export function checkJpegScans(bytes: Uint8Array): void {
  const scans = countJpegScans(bytes);
  if (scans > MAX_JPEG_SCANS) throw new FaceError('corrupt_image', `the JPEG has more than ${MAX_JPEG_SCANS} scans`);
}

/** Orientations 5-8 swap width and height when applied. */
const swapsAxes = (orientation: number | undefined): boolean => orientation !== undefined && orientation >= 5 && orientation <= 8;

/** Format from the magic bytes, then size and orientation from the header: the pixel limit is decided here. */
export async function readImageHeader(bytes: Uint8Array, limits: DecodeLimits): Promise<ImageHeader> {
  const format = checkImageBytes(bytes, limits);
  let header: Metadata;
  try {
    header = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (cause) {
    throw new FaceError('corrupt_image', 'the image header cannot be read', { cause });
  }
  if (header.format !== SHARP_FORMAT[format]) {
    throw new FaceError('corrupt_image', `the bytes start like ${format} but do not parse as one`);
  }
  // Animated GIF/WebP and multi-page TIFF: the first frame is the image.
  const frameHeight = header.pageHeight ?? header.height;
  if (!header.width || !frameHeight) throw new FaceError('corrupt_image', 'the image header has no size');
  const pixels = header.width * frameHeight;
  if (pixels > limits.maxPixels) {
    throw new FaceError(
      'too_many_pixels',
      `the image is ${header.width}x${frameHeight} (${(pixels / 1e6).toFixed(1)} MP); the limit is ${(limits.maxPixels / 1e6).toFixed(1)} MP`,
    );
  }
  const [width, height] = swapsAxes(header.orientation) ? [frameHeight, header.width] : [header.width, frameHeight];
  return { format, width, height };
}

/** A rectangle of a decoded image, in its pixels. */
export interface PixelRegion {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** The size of the image decoded at `scale` of its displayed size (at most 1). */
export function scaledSize(header: ImageHeader, scale: number): { width: number; height: number } {
  // Rounded up as libjpeg does, so a power-of-two scale is exactly what shrink-on-load produces.
  return {
    width: Math.max(1, Math.ceil(header.width * Math.min(1, scale) - 1e-9)),
    height: Math.max(1, Math.ceil(header.height * Math.min(1, scale) - 1e-9)),
  };
}

/**
 * Decodes to RGB, EXIF orientation applied, at `scale` of the displayed size (at most 1). Shrinking
 * happens while decoding where the format allows (JPEG/WebP shrink-on-load), so a large photo needed
 * at 640 pixels never exists in memory at full size. With `region`, only that part of the scaled image
 * is produced (the same pixels; libvips stops decoding below it and resamples nothing outside it).
 */
export async function decodeImage(
  bytes: Uint8Array,
  header: ImageHeader,
  limits: DecodeLimits,
  scale: number,
  region?: PixelRegion,
  decoder = DEFAULT_JPEG_DECODER,
): Promise<RgbImage> {
  const { width: scaledWidth, height: scaledHeight } = scaledSize(header, scale);
  const resize = scaledWidth !== header.width || scaledHeight !== header.height ? { width: scaledWidth, height: scaledHeight } : undefined;
  const width = region?.width ?? scaledWidth;
  const height = region?.height ?? scaledHeight;
  const fast = region ? undefined : decodeJpegNative(decoder, header.format, bytes, limits, scale, { width: scaledWidth, height: scaledHeight });
  const image = fast ?? (await decodeRgb(bytes, limits, resize, region));
  if (image.width !== width || image.height !== height) {
    image.data.fill(0);
    throw new FaceError('corrupt_image', 'the image data does not match its header');
  }
  return image;
}

/**
 * Header and pixels in one pass, at full size: the cheap path for small inputs (a separate header read
 * costs as much as decoding a thumbnail). The decoder still refuses too many pixels from the header.
 */
export async function decodeWhole(
  bytes: Uint8Array,
  format: ImageFormat,
  limits: DecodeLimits,
  decoder = DEFAULT_JPEG_DECODER,
): Promise<{ header: ImageHeader; image: RgbImage }> {
  const fast = decodeJpegNative(decoder, format, bytes, limits);
  const image = fast ?? (await decodeRgb(bytes, limits));
  return { header: { format, width: image.width, height: image.height }, image };
}

/**
 * The native JPEG path, whole image at `scale` (n/8 for a whole n: the detector's power-of-two levels and
 * 3/8-type fine levels are; the addon scales in the DCT, each side rounded up as scaledSize does).
 * undefined sends the caller to sharp: decoder 'sharp', not a JPEG, no addon, another scale, or anything
 * the addon does not take.
 */
function decodeJpegNative(
  decoder: JpegDecoder,
  format: ImageFormat,
  bytes: Uint8Array,
  limits: DecodeLimits,
  scale = 1,
  expected?: { width: number; height: number },
): RgbImage | undefined {
  if (decoder !== 'libjpeg' || format !== 'jpeg') return undefined;
  const addon = loadPixelsAddon().module;
  const eighths = Math.min(1, scale) * 8;
  if (!addon || !Number.isInteger(eighths) || eighths < 1) return undefined;
  const image = addon.decodeJpeg(bytes, eighths, limits.maxPixels) ?? undefined;
  // An EXIF-rotated image never gets here (the addon refuses orientations other than 1); this guards
  // a header that disagrees with the data.
  if (image && expected && (image.width !== expected.width || image.height !== expected.height)) {
    image.data.fill(0);
    return undefined;
  }
  return image;
}

async function decodeRgb(bytes: Uint8Array, limits: DecodeLimits, resize?: { width: number; height: number }, region?: PixelRegion): Promise<RgbImage> {
  try {
    // ignoreIcc: an embedded RGB colour profile is not converted to sRGB. The conversion cost 9-13 ms per
    // large profiled photo (a third of its decode); what it changes is small for faces: a Display P3
    // photo decoded without it differs by 0.8-2.2 levels on average and its embeddings by cosine
    // 0.998-0.999 (deepface photos converted to P3). CMYK still becomes sRGB (libvips' CMYK profile).
    let pipeline = sharp(bytes, { failOn: 'truncated', limitInputPixels: limits.maxPixels, pages: 1, autoOrient: true, ignoreIcc: true });
    if (resize) pipeline = pipeline.resize(resize.width, resize.height, { fit: 'fill' });
    // After resize: a region of the scaled image.
    if (region) pipeline = pipeline.extract(region);
    const { data, info } = await pipeline
      // Transparent areas become white, as a viewer shows them, instead of undefined colours.
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      data.fill(0);
      throw new Error(`decoded ${info.channels} channels, expected 3`);
    }
    return { data, width: info.width, height: info.height };
  } catch (cause) {
    if (cause instanceof Error && /pixel limit/i.test(cause.message)) {
      throw new FaceError('too_many_pixels', `the image has more than ${(limits.maxPixels / 1e6).toFixed(1)} MP`, { cause });
    }
    throw new FaceError('corrupt_image', 'the image data is truncated or corrupt', { cause });
  }
}
