import type { RgbImage } from '../image/rgb-image';
import { laplacianVariance, laplacianVarianceJs } from './sharpness';

function texture(blur: number): RgbImage {
  const size = 64;
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Fine stripes, attenuated as blur grows.
      const v = 128 + (127 / (1 + blur)) * Math.sin(x * 1.7) * Math.cos(y * 1.3);
      data.fill(Math.round(v), (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
  }
  return { data, width: size, height: size };
}

describe.each([
  ['native', laplacianVariance],
  ['TypeScript', laplacianVarianceJs],
] as const)('laplacianVariance (%s)', (_, laplacianVariance) => {
  it('is zero on a flat image and falls as detail is blurred away', () => {
    expect(laplacianVariance({ data: new Uint8Array(32 * 32 * 3).fill(90), width: 32, height: 32 })).toBe(0);
    const sharp = laplacianVariance(texture(0));
    const soft = laplacianVariance(texture(4));
    expect(sharp).toBeGreaterThan(1000);
    expect(soft).toBeLessThan(sharp / 10);
  });
});
