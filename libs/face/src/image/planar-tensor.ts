import type { PixelNormalisation } from '../models/model-manifest';
import type { RgbImage } from './rgb-image';

/**
 * Writes `image` into a [1, 3, height, width] float tensor at the top-left, in the model's channel
 * order and normalisation; the rest (bottom/right padding) is black, normalised the same way.
 */
export function toPlanarTensor(image: RgbImage, width: number, height: number, norm: PixelNormalisation): Float32Array {
  const out = new Float32Array(3 * width * height);
  const plane = width * height;
  const inv = 1 / norm.std;
  const pad = -norm.mean * inv;
  if (pad !== 0) out.fill(pad);
  // Source channel feeding planes 0, 1, 2.
  const [c0, c1, c2] = norm.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const src = image.data;
  const rows = Math.min(height, image.height);
  const cols = Math.min(width, image.width);
  for (let y = 0; y < rows; y++) {
    let s = y * image.width * 3;
    let o = y * width;
    for (let x = 0; x < cols; x++, s += 3, o++) {
      out[o] = (src[s + c0]! - norm.mean) * inv;
      out[o + plane] = (src[s + c1]! - norm.mean) * inv;
      out[o + 2 * plane] = (src[s + c2]! - norm.mean) * inv;
    }
  }
  return out;
}
