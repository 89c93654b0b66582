import type { RgbImage } from '../image/rgb-image';
import { type Affine, affineScale } from './similarity-transform';

/**
 * Warps into a width x height RGB crop. `toSource` maps an output pixel (integer coordinates, as
 * OpenCV's warpAffine) to the source; outside the source is black, as warpAffine's default border.
 * Bilinear; when one output pixel spans more than one source pixel, it averages a grid of bilinear
 * taps, about one per source pixel of its footprint, so a large face is not aliased into the crop.
 */
export function warpAffine(source: RgbImage, toSource: Affine, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const [a, b, tx, c, d, ty] = toSource;
  const taps = Math.max(1, Math.ceil(affineScale(toSource) - 1e-6));
  const offsets: number[] = [];
  for (let i = 0; i < taps; i++) offsets.push((i + 0.5) / taps - 0.5);
  const weight = 1 / (taps * taps);
  const src = source.data;
  const sw = source.width, sh = source.height, stride = sw * 3;
  const acc = new Float64Array(3);
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      acc[0] = 0; acc[1] = 0; acc[2] = 0;
      for (const oy of offsets) {
        for (const ox of offsets) {
          const px = x + ox, py = y + oy;
          const sx = a * px + b * py + tx;
          const sy = c * px + d * py + ty;
          const x0 = Math.floor(sx), y0 = Math.floor(sy);
          if (x0 < -1 || y0 < -1 || x0 >= sw || y0 >= sh) continue;
          const fx = sx - x0, fy = sy - y0;
          const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
          const in0 = y0 >= 0, in1 = y0 + 1 < sh, inL = x0 >= 0, inR = x0 + 1 < sw;
          const p = y0 * stride + x0 * 3;
          for (let ch = 0; ch < 3; ch++) {
            let v = 0;
            if (in0 && inL) v += w00 * src[p + ch]!;
            if (in0 && inR) v += w10 * src[p + 3 + ch]!;
            if (in1 && inL) v += w01 * src[p + stride + ch]!;
            if (in1 && inR) v += w11 * src[p + stride + 3 + ch]!;
            acc[ch]! += v;
          }
        }
      }
      out[o] = acc[0]! * weight + 0.5;
      out[o + 1] = acc[1]! * weight + 0.5;
      out[o + 2] = acc[2]! * weight + 0.5;
    }
  }
  return { data: out, width, height };
}
