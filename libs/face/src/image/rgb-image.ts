import sharp from 'sharp';

/** 8-bit RGB pixels, interleaved, row-major, no padding. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Zero-fills pixel data once it is no longer needed (privacy: no image bytes linger in memory). */
export function wipe(...images: readonly (RgbImage | undefined)[]): void {
  for (const image of images) image?.data.fill(0);
}

/** Resamples with libvips (SIMD, antialiased when shrinking) into a new buffer. */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (width === image.width && height === image.height) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: width > image.width ? 'cubic' : 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Half size by 2x2 box averaging: the level below a face too large for a 112-pixel bilinear sample. */
export function halveRgb(image: RgbImage): RgbImage {
  const width = Math.max(1, image.width >> 1);
  const height = Math.max(1, image.height >> 1);
  const src = image.data;
  const out = new Uint8Array(width * height * 3);
  const stride = image.width * 3;
  for (let y = 0; y < height; y++) {
    const row0 = Math.min(2 * y, image.height - 1) * stride;
    const row1 = Math.min(2 * y + 1, image.height - 1) * stride;
    for (let x = 0; x < width; x++) {
      const c0 = Math.min(2 * x, image.width - 1) * 3;
      const c1 = Math.min(2 * x + 1, image.width - 1) * 3;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        out[o + c] = (src[row0 + c0 + c]! + src[row0 + c1 + c]! + src[row1 + c0 + c]! + src[row1 + c1 + c]! + 2) >> 2;
      }
    }
  }
  return { data: out, width, height };
}
