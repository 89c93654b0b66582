import { pixelsAddonFor } from '../image/pixels-addon.loader';
import type { RgbImage } from '../image/rgb-image';
import { type Affine, affineScale } from './similarity-transform';

/**
 * Warps into a width x height RGB crop. `toSource` maps an output pixel (integer coordinates, as
 * OpenCV's warpAffine) to the source; outside the source is black, as warpAffine's default border.
 * Bilinear, as the embedder's training crops were made; only when one output pixel spans more than two
 * source pixels does it average a grid of bilinear taps, one per source pixel of its footprint, so a
 * much larger face is not aliased into the crop. Runs in the native addon where it is built (the same
 * pixels), else in warpAffineJs.
 */
export function warpAffine(source: RgbImage, toSource: Affine, width: number, height: number): RgbImage {
  const addon = pixelsAddonFor(source.width, source.height, width, height);
  if (!addon) return warpAffineJs(source, toSource, width, height);
  const out = new Uint8Array(width * height * 3);
  addon.warpAffine(source.data, source.width, source.height, toSource, tapsFor(toSource), out, width, height);
  return { data: out, width, height };
}

// 64 x 64 taps already average a face 64x the crop's size; beyond, sampling every source pixel buys nothing.
const MAX_TAPS = 64;

/** Bilinear taps per axis: one unless an output pixel spans more than two source pixels. */
const tapsFor = (toSource: Affine): number => {
  const scale = affineScale(toSource);
  return scale > 2 ? Math.min(MAX_TAPS, Math.ceil(scale - 1e-6)) : 1;
};

/** warpAffine in TypeScript: the fallback without the addon, and the reference the addon is tested against. */
export function warpAffineJs(source: RgbImage, toSource: Affine, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const [a, b, tx, c, d, ty] = toSource;
  const taps = tapsFor(toSource);
  const src = source.data;
  const sw = source.width, sh = source.height, stride = sw * 3;
  const rgb = new Float64Array(3);

  /** Adds weight × the bilinear sample at (sx, sy) to `rgb`; outside pixels count as black. */
  const sample = (sx: number, sy: number, weight: number): void => {
    const x0 = Math.floor(sx), y0 = Math.floor(sy);
    if (x0 < -1 || y0 < -1 || x0 >= sw || y0 >= sh) return;
    const fx = sx - x0, fy = sy - y0;
    const p = y0 * stride + x0 * 3;
    const top = y0 >= 0, bottom = y0 + 1 < sh, left = x0 >= 0, right = x0 + 1 < sw;
    const w00 = top && left ? (1 - fx) * (1 - fy) * weight : 0;
    const w10 = top && right ? fx * (1 - fy) * weight : 0;
    const w01 = bottom && left ? (1 - fx) * fy * weight : 0;
    const w11 = bottom && right ? fx * fy * weight : 0;
    for (let ch = 0; ch < 3; ch++) {
      // Zero weights guard the reads outside the image.
      rgb[ch]! +=
        (w00 && w00 * src[p + ch]!) + (w10 && w10 * src[p + 3 + ch]!) + (w01 && w01 * src[p + stride + ch]!) + (w11 && w11 * src[p + stride + 3 + ch]!);
    }
  };

  if (taps === 1) {
    // The common case (a face no larger than the crop): one bilinear sample per pixel, inlined.
    for (let y = 0, o = 0; y < height; y++) {
      let sx = b * y + tx;
      let sy = d * y + ty;
      for (let x = 0; x < width; x++, o += 3, sx += a, sy += c) {
        const x0 = Math.floor(sx), y0 = Math.floor(sy);
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh) {
          const fx = sx - x0, fy = sy - y0;
          const p = y0 * stride + x0 * 3, q = p + stride;
          const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
          out[o] = w00 * src[p]! + w10 * src[p + 3]! + w01 * src[q]! + w11 * src[q + 3]! + 0.5;
          out[o + 1] = w00 * src[p + 1]! + w10 * src[p + 4]! + w01 * src[q + 1]! + w11 * src[q + 4]! + 0.5;
          out[o + 2] = w00 * src[p + 2]! + w10 * src[p + 5]! + w01 * src[q + 2]! + w11 * src[q + 5]! + 0.5;
        } else {
          rgb.fill(0);
          sample(sx, sy, 1);
          out[o] = rgb[0]! + 0.5;
          out[o + 1] = rgb[1]! + 0.5;
          out[o + 2] = rgb[2]! + 0.5;
        }
      }
    }
    return { data: out, width, height };
  }

  const step = 1 / taps;
  const weight = 1 / (taps * taps);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      rgb.fill(0);
      for (let i = 0; i < taps; i++) {
        const py = y + (i + 0.5) * step - 0.5;
        for (let j = 0; j < taps; j++) {
          const px = x + (j + 0.5) * step - 0.5;
          sample(a * px + b * py + tx, c * px + d * py + ty, weight);
        }
      }
      out[o] = rgb[0]! + 0.5;
      out[o + 1] = rgb[1]! + 0.5;
      out[o + 2] = rgb[2]! + 0.5;
    }
  }
  return { data: out, width, height };
}
