import { readdirSync, readFileSync } from 'node:fs';
import { warpAffine, warpAffineJs } from '../alignment/affine-warp';
import type { Affine } from '../alignment/similarity-transform';
import type { PixelNormalisation } from '../models/model-manifest';
import { laplacianVariance, laplacianVarianceJs } from '../quality/sharpness';
import { describeWithPhotos, lfw } from '../testing/face-models.fixture';
import { decodeWhole } from './image.decoder';
import { mirrorPlanar, mirrorPlanarJs, toPlanarTensor, toPlanarTensorJs } from './planar-tensor';
import { loadPixelsAddon } from './pixels-addon.loader';
import type { RgbImage } from './rgb-image';

const LIMITS = { maxBytes: 20 * 1024 * 1024, maxPixels: 60_000_000 };
const YUNET: PixelNormalisation = { channelOrder: 'bgr', mean: 0, std: 1 };
const ARCFACE: PixelNormalisation = { channelOrder: 'bgr', mean: 127.5, std: 127.5 };
const RGB: PixelNormalisation = { channelOrder: 'rgb', mean: 128, std: 128 };

/** Deterministic pseudo-random pixels (an LCG), so a failure reproduces. */
function noise(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height };
}

const sameFloats = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const samePixels = (a: RgbImage, b: RgbImage) => a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data));

describe('native pixel kernels against the TypeScript they replace', () => {
  it('the addon is built here (else both sides below would be the TypeScript)', () => {
    expect(loadPixelsAddon().module).toBeDefined();
  });

  it.each([
    ['as is, padded (the LFW path)', 250, 250, 256, 256, 250, 250, YUNET],
    ['enlarged (cubic)', 97, 61, 224, 160, 200, 130, YUNET],
    ['shrunk (tent, antialiased)', 640, 427, 320, 224, 300, 201, RGB],
    ['shrunk on one axis, enlarged on the other', 300, 80, 160, 160, 150, 160, ARCFACE],
    ['a crop at the embedder size', 112, 112, 112, 112, 112, 112, ARCFACE],
  ] as const)('toPlanarTensor: %s gives the same float32 values bit for bit', (_, w, h, iw, ih, lw, lh, norm) => {
    const image = noise(w, h, w * 31 + h);
    expect(sameFloats(toPlanarTensor(image, iw, ih, norm, lw, lh), toPlanarTensorJs(image, iw, ih, norm, lw, lh))).toBe(true);
  });

  it('toPlanarTensor: an image wider than 65535 pixels (PNG allows it) is shrunk the same way', () => {
    const image = noise(70_000, 2, 9);
    expect(sameFloats(toPlanarTensor(image, 64, 32, YUNET, 64, 1), toPlanarTensorJs(image, 64, 32, YUNET, 64, 1))).toBe(true);
  });

  it('mirrorPlanar swaps the same values, padding untouched', () => {
    const image = noise(101, 77, 5);
    const native = toPlanarTensorJs(image, 128, 96, YUNET, 101, 77);
    const original = native.slice();
    const reference = native.slice();
    mirrorPlanar(native, 128, 101, 77);
    mirrorPlanarJs(reference, 128, 101, 77);
    expect(sameFloats(native, reference)).toBe(true);
    expect(native[0]).toBe(original[100]);
    expect(native[128 + 100]).toBe(original[128]);
    expect(native[127]).toBe(original[127]);
  });

  describe.each(['auto', 'scalar'] as const)('warpAffine with the %s kernel', (kernel) => {
    beforeAll(() => loadPixelsAddon().module!.usePixelKernel(kernel));
    afterAll(() => loadPixelsAddon().module!.usePixelKernel('auto'));

    it('runs the kernel asked for', () => {
      expect(loadPixelsAddon().module!.pixelKernel()).toMatch(kernel === 'scalar' ? /^scalar$/ : /^(avx2|scalar)$/);
    });

    it.each([
      ['identity', [1, 0, 0, 0, 1, 0]],
      ['rotated and scaled, partly outside (black border)', [0.9, -0.35, 20.25, 0.35, 0.9, -12.5]],
      ['a face much larger than the crop (averaged taps)', [3.7, 0.8, 40, -0.8, 3.7, 60]],
      ['a small face enlarged', [0.31, 0.05, 70.2, -0.05, 0.31, 33.9]],
    ] as const)('warpAffine: %s gives the same pixels', (_, toSource) => {
      const image = noise(300, 220, 11);
      expect(samePixels(warpAffine(image, toSource as Affine, 112, 112), warpAffineJs(image, toSource as Affine, 112, 112))).toBe(true);
    });

    it('warpAffine: a crop reaching the last column and row (the taps there read the last pixel)', () => {
      const image = noise(150, 110, 4);
      // 1.339 x 111 = 148.6: the bilinear taps of the last column read pixel 149, the last one.
      const toSource: Affine = [150 / 112, 0, 0, 0, 110 / 112, 0];
      expect(samePixels(warpAffine(image, toSource, 112, 112), warpAffineJs(image, toSource, 112, 112))).toBe(true);
    });

    it('warpAffine: an absurd matrix (coordinates overflow to NaN) gives black, not a read outside the image', () => {
      const image = noise(64, 64, 3);
      // x = 1e308 * (px - py) + 1e300: NaN (inf - inf), infinite or far outside for every tap.
      const toSource: Affine = [1e308, -1e308, 1e300, 0, 1, 0];
      const native = warpAffine(image, toSource, 8, 8);
      expect(samePixels(native, warpAffineJs(image, toSource, 8, 8))).toBe(true);
      expect(native.data.every((v) => v === 0)).toBe(true);
    });
  });

  it.each([
    [112, 112, 0.7],
    [97, 131, 0.5],
    [3, 3, 0.7],
  ])('laplacianVariance of a %ix%i crop (inner %f) is the same number', (w, h, inner) => {
    const image = noise(w, h, w + h);
    expect(laplacianVariance(image, inner)).toBe(laplacianVarianceJs(image, inner));
  });

  it('refuses sizes that do not fit the buffers', () => {
    const addon = loadPixelsAddon().module!;
    const image = noise(8, 8, 1);
    expect(() => addon.planarTensor(image.data, 8, 9, new Float32Array(3 * 64), 8, 8, 8, 8, 0, 1, true)).toThrow('the pixels are fewer');
    expect(() => addon.planarTensor(image.data, 8, 8, new Float32Array(3 * 63), 8, 8, 8, 8, 0, 1, true)).toThrow('out is smaller');
    expect(() => addon.planarTensor(image.data, 8, 8, new Float32Array(3 * 64), 8, 8, 9, 8, 0, 1, true)).toThrow('must fit');
    expect(() => addon.planarTensor(image.data, 8, 8, new Float32Array(3 * 64), 8, 8, 8, 8, 0, 0, true)).toThrow('std positive');
    expect(() => addon.mirrorPlanar(new Float32Array(3 * 64), 8, 8, 9)).toThrow('must fit');
    expect(() => addon.warpAffine(image.data, 8, 8, [1, 0, 0, 0, 1, 0], 1, new Uint8Array(3 * 63), 8, 8)).toThrow('the pixels are fewer');
    expect(() => addon.warpAffine(image.data, 8, 8, [1, 0, 0, 0, 1, 0], 1.5, new Uint8Array(3 * 64), 8, 8)).toThrow('taps must be an integer');
    // A tall, thin source resampled to a wide output: the scratch would be 2^20 rows x 4096 x 12 bytes.
    const tall = new Uint8Array(3 * 2 ** 20);
    expect(() => addon.planarTensor(tall, 1, 2 ** 20, new Float32Array(3 * 4096), 4096, 1, 4096, 1, 0, 1, true)).toThrow('exceed 1 GiB');
    expect(() => addon.warpAffine(image.data, 8, 8, [1, 0, 0, 0, 1], 1, new Uint8Array(3 * 64), 8, 8)).toThrow('6 numbers');
    expect(() => addon.warpAffine(image.data, 8, 8, [1, 0, NaN, 0, 1, 0], 1, new Uint8Array(3 * 64), 8, 8)).toThrow('finite');
    expect(() => addon.laplacianVariance(image.data, 8, 9, 0.7)).toThrow('the pixels are fewer');
  });
});

describeWithPhotos('native pixel kernels on real photos', () => {
  it('LFW photos become the same detector tensors and aligned crops (the CPU\'s best kernel)', async () => {
    const people = readdirSync(lfw('')).filter((p) => !p.endsWith('.txt')).sort().slice(0, 8);
    for (const person of people) {
      const { image } = await decodeWhole(readFileSync(lfw(`${person}/${readdirSync(lfw(person)).sort()[0]!}`)), 'jpeg', LIMITS);
      expect(sameFloats(toPlanarTensor(image, 256, 256, YUNET, 250, 250), toPlanarTensorJs(image, 256, 256, YUNET, 250, 250))).toBe(true);
      expect(sameFloats(toPlanarTensor(image, 160, 160, YUNET, 160, 160), toPlanarTensorJs(image, 160, 160, YUNET, 160, 160))).toBe(true);
      const toSource: Affine = [0.93, -0.12, 71.3, 0.12, 0.93, 88.6];
      const crop = warpAffine(image, toSource, 112, 112);
      expect(samePixels(crop, warpAffineJs(image, toSource, 112, 112))).toBe(true);
      loadPixelsAddon().module!.usePixelKernel('scalar');
      expect(samePixels(warpAffine(image, toSource, 112, 112), crop)).toBe(true);
      loadPixelsAddon().module!.usePixelKernel('auto');
      expect(laplacianVariance(crop)).toBe(laplacianVarianceJs(crop));
    }
  });
});
