import type { RgbImage } from '../image/rgb-image';
import { warpAffine, warpAffineJs } from './affine-warp';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return { data, width, height };
}

const px = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

// The native addon and the TypeScript fallback must both pass (pixel-kernels.spec.ts compares them at scale).
describe.each([
  ['native', warpAffine],
  ['TypeScript', warpAffineJs],
] as const)('warpAffine (%s)', (_, warpAffine) => {
  const gradient = image(16, 8, (x, y) => [x * 10, y * 20, 7]);

  it('identity copies the image', () => {
    expect(Array.from(warpAffine(gradient, [1, 0, 0, 0, 1, 0], 16, 8).data)).toEqual(Array.from(gradient.data));
  });

  it('samples bilinearly between pixels', () => {
    const out = warpAffine(gradient, [1, 0, 0.5, 0, 1, 0.25], 4, 4);
    expect(px(out, 1, 1)).toEqual([15, 25, 7]);
  });

  it('is black outside the source, as warpAffine with a constant border', () => {
    const out = warpAffine(gradient, [1, 0, 100, 0, 1, 100], 4, 4);
    expect(Array.from(out.data).every((v) => v === 0)).toBe(true);
  });

  it('averages the footprint when shrinking, instead of aliasing', () => {
    // A one-pixel checkerboard shrunk 4x: plain bilinear at integer points would return pure black or white.
    const checker = image(64, 64, (x, y) => ((x + y) % 2 === 0 ? [255, 255, 255] : [0, 0, 0]));
    const out = warpAffine(checker, [4, 0, 0, 0, 4, 0], 16, 16);
    for (let y = 2; y < 14; y++) for (let x = 2; x < 14; x++) expect(Math.abs(px(out, x, y)[0]! - 128)).toBeLessThan(40);
  });
});
