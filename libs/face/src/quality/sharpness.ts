import { pixelsAddonFor } from '../image/pixels-addon.loader';
import type { RgbImage } from '../image/rgb-image';

/**
 * Variance of the 4-neighbour Laplacian of the grey image, over the inner part (the crop's borders
 * hold background and the black of out-of-image areas). Low values mean blur. In the native addon
 * where it is built (the same value), else laplacianVarianceJs.
 */
export function laplacianVariance(image: RgbImage, innerFraction = 0.7): number {
  const addon = pixelsAddonFor(image.width, image.height);
  return addon ? addon.laplacianVariance(image.data, image.width, image.height, innerFraction) : laplacianVarianceJs(image, innerFraction);
}

/** laplacianVariance in TypeScript: the fallback without the addon, and the reference the addon is tested against. */
export function laplacianVarianceJs(image: RgbImage, innerFraction = 0.7): number {
  const { width, height, data } = image;
  const grey = new Float32Array(width * height);
  for (let i = 0, p = 0; i < grey.length; i++, p += 3) grey[i] = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  const mx = Math.max(1, Math.round((width * (1 - innerFraction)) / 2));
  const my = Math.max(1, Math.round((height * (1 - innerFraction)) / 2));
  let sum = 0, sumSq = 0, n = 0;
  for (let y = my; y < height - my; y++) {
    for (let x = mx; x < width - mx; x++) {
      const i = y * width + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  grey.fill(0);
  return n > 0 ? sumSq / n - (sum / n) ** 2 : 0;
}
