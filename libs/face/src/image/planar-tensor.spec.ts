import type { PixelNormalisation } from '../models/model-manifest';
import { mirrorPlanar, mirrorPlanarJs, TensorBuffer, toPlanarTensor, toPlanarTensorJs } from './planar-tensor';

// A 2x2 RGB image: red, green / blue, white.
const image = { data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), width: 2, height: 2 };
const norm = (channelOrder: 'rgb' | 'bgr', mean = 0, std = 1) => ({ channelOrder, mean, std }) as PixelNormalisation;
const planes = (t: Float32Array, w: number, h: number) => [0, 1, 2].map((p) => Array.from(t.subarray(p * w * h, (p + 1) * w * h)));

// The native addon and the TypeScript fallback must both pass (pixel-kernels.spec.ts compares them at scale).
describe.each([
  ['native', toPlanarTensor, mirrorPlanar],
  ['TypeScript', toPlanarTensorJs, mirrorPlanarJs],
] as const)('toPlanarTensor (%s)', (_, toPlanarTensor, mirrorPlanar) => {
  it('writes RGB planes in RGB order and BGR planes in BGR order, normalised', () => {
    expect(planes(toPlanarTensor(image, 2, 2, norm('rgb')), 2, 2)).toEqual([
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
    ]);
    expect(planes(toPlanarTensor(image, 2, 2, norm('bgr', 127.5, 127.5)), 2, 2)).toEqual([
      [-1, -1, 1, 1],
      [-1, 1, -1, 1],
      [1, -1, -1, 1],
    ]);
  });

  it('puts the image top-left and pads the rest with black, normalised the same way', () => {
    const [r, g, b] = planes(toPlanarTensor(image, 3, 3, norm('rgb', 128, 128)), 3, 3);
    expect(r).toEqual([127 / 128, -1, -1, -1, 127 / 128, -1, -1, -1, -1]);
    expect(g).toEqual([-1, 127 / 128, -1, -1, 127 / 128, -1, -1, -1, -1]);
    expect(b).toEqual([-1, -1, -1, 127 / 128, 127 / 128, -1, -1, -1, -1]);
  });

  it('mirrors the image region of each plane left to right, padding untouched', () => {
    const t = toPlanarTensor(image, 3, 2, norm('rgb'));
    mirrorPlanar(t, 3, 2, 2);
    expect(planes(t, 3, 2)[0]).toEqual([0, 255, 0, 255, 0, 0]);
  });
});

describe('TensorBuffer', () => {
  it('lends one buffer at a time, zero-filled when given back, and a fresh one while it is out', () => {
    const buffers = new TensorBuffer();
    const first = buffers.take(12);
    first.fill(7);
    const overlapping = buffers.take(12);
    expect(overlapping).not.toBe(first);
    buffers.giveBack(overlapping);
    buffers.giveBack(first);
    expect(Array.from(first).every((v) => v === 0)).toBe(true);
    expect(buffers.take(12)).toBe(first);
  });

  it('writes a reused buffer whole: no value of the previous image stays in the padding', () => {
    const out = new Float32Array(3 * 9).fill(99);
    for (const convert of [toPlanarTensor, toPlanarTensorJs]) {
      out.fill(99);
      const t = convert(image, 3, 3, norm('rgb'), 2, 2, out);
      expect(t).toBe(out);
      expect(planes(t, 3, 3)[0]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 0]);
      expect(Object.is(t[2], 0)).toBe(true);
    }
  });
});
