import { readdirSync, readFileSync } from 'node:fs';
import sharp, { type JpegOptions } from 'sharp';
import { FaceError } from '../face.error';
import { deepface, describeWithPhotos, lfw } from '../testing/face-models.fixture';
import { decodeImage, decodeWhole, type ImageHeader, readImageHeader } from './image.decoder';
import { loadPixelsAddon } from './pixels-addon.loader';

const LIMITS = { maxBytes: 20 * 1024 * 1024, maxPixels: 60_000_000 };
// npm ci builds the addon; a missing one must fail here, not silently test sharp against itself.
const addon = loadPixelsAddon().module!;

/** A 320x240 JPEG with a shape on it (a flat image would hide decoding differences). */
const photoLike = (options: JpegOptions = {}) =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: '#8a6f5c' } })
    .composite([{ input: Buffer.from('<svg width="320" height="240"><circle cx="160" cy="120" r="90" fill="#3a7"/><rect x="20" y="30" width="60" height="150" fill="#c25"/></svg>') }])
    .jpeg({ quality: 92, ...options });

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
};

describe('the native JPEG decoder (libs/face/native)', () => {
  it('is built here, against libjpeg-turbo', () => {
    expect(loadPixelsAddon().status).toMatch(/^libjpeg \d+$/);
  });

  it('decodes a baseline and a progressive JPEG to the same pixels as sharp', async () => {
    for (const progressive of [false, true]) {
      const jpeg = await photoLike({ progressive }).toBuffer();
      const native = addon.decodeJpeg(jpeg, 8, LIMITS.maxPixels)!;
      const reference = await decodeWhole(jpeg, 'jpeg', LIMITS, 'sharp');
      expect([native.width, native.height]).toEqual([320, 240]);
      expect(Buffer.from(native.data).equals(Buffer.from(reference.image.data))).toBe(true);
    }
  });

  it('scales in the DCT: n/8 of each side, rounded up', async () => {
    const jpeg = await photoLike().toBuffer();
    for (const [n, size] of [[4, [160, 120]], [2, [80, 60]], [1, [40, 30]], [3, [120, 90]]] as const) {
      const image = addon.decodeJpeg(jpeg, n, LIMITS.maxPixels)!;
      expect([image.width, image.height]).toEqual(size);
    }
    const odd = await sharp({ create: { width: 333, height: 201, channels: 3, background: '#123456' } }).jpeg().toBuffer();
    expect(addon.decodeJpeg(odd, 1, LIMITS.maxPixels)).toMatchObject({ width: 42, height: 26 });
  });

  it('hands back (null) what it does not take: orientation, CMYK, truncated or corrupt data, too many pixels', async () => {
    const rotated = await photoLike().withMetadata({ orientation: 6 }).toBuffer();
    const upright = await photoLike().withMetadata({ orientation: 1 }).toBuffer();
    const cmyk = await photoLike().toColourspace('cmyk').toBuffer();
    const clean = await photoLike().toBuffer();
    expect(addon.decodeJpeg(rotated, 8, LIMITS.maxPixels)).toBeNull();
    expect(addon.decodeJpeg(upright, 8, LIMITS.maxPixels)).not.toBeNull();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    expect(addon.decodeJpeg(cmyk, 8, LIMITS.maxPixels)).toBeNull();
    expect(addon.decodeJpeg(clean.subarray(0, clean.length - 200), 8, LIMITS.maxPixels)).toBeNull();
    // Cut just before the end marker: the pixels may all be there, the file is still truncated.
    expect(addon.decodeJpeg(clean.subarray(0, clean.length - 2), 8, LIMITS.maxPixels)).toBeNull();
    expect(addon.decodeJpeg(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x41)]), 8, LIMITS.maxPixels)).toBeNull();
    expect(addon.decodeJpeg(clean, 8, 320 * 240 - 1)).toBeNull();
    expect(addon.decodeJpeg(clean, 8, 320 * 240)).not.toBeNull();
  });

  it('refuses bad arguments', () => {
    const bytes = new Uint8Array([0xff, 0xd8]);
    expect(() => addon.decodeJpeg(bytes, 0, 100)).toThrow('scaleEighths must be an integer in 1..8');
    expect(() => addon.decodeJpeg(bytes, 9, 100)).toThrow('scaleEighths must be an integer in 1..8');
    expect(() => addon.decodeJpeg(bytes, 2.5, 100)).toThrow('scaleEighths must be an integer in 1..8');
    expect(() => addon.decodeJpeg(bytes, 8, 0)).toThrow('maxPixels must be an integer');
    expect(() => addon.decodeJpeg(bytes, 8, 99.5)).toThrow('maxPixels must be an integer');
    expect(() => addon.decodeJpeg(new Float32Array(4) as unknown as Uint8Array, 8, 100)).toThrow('bytes must be a Uint8Array');
  });

  it('behind decodeImage: what it hands back is decoded by sharp with its own error codes', async () => {
    const rotated = await photoLike().withMetadata({ orientation: 6 }).toBuffer();
    const header = await readImageHeader(rotated, LIMITS);
    expect(header).toMatchObject({ width: 240, height: 320 });
    const image = await decodeImage(rotated, header, LIMITS, 1);
    expect([image.width, image.height]).toEqual([240, 320]);
    const clean = await photoLike().toBuffer();
    const truncated = clean.subarray(0, clean.length - 2);
    const error = await decodeWhole(truncated, 'jpeg', LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaceError);
    expect((error as FaceError).code).toBe('corrupt_image');
  });
});

describeWithPhotos('the native JPEG decoder on real photos', () => {
  it('gives the same pixels as sharp for LFW photos at full size', async () => {
    const people = readdirSync(lfw('')).filter((p) => !p.endsWith('.txt')).sort().slice(0, 12);
    for (const person of people) {
      const bytes = readFileSync(lfw(`${person}/${readdirSync(lfw(person)).sort()[0]!}`));
      const native = await decodeWhole(bytes, 'jpeg', LIMITS, 'libjpeg');
      const reference = await decodeWhole(bytes, 'jpeg', LIMITS, 'sharp');
      expect(native.header).toEqual(reference.header);
      expect(Buffer.from(native.image.data).equals(Buffer.from(reference.image.data))).toBe(true);
    }
  });

  it('decodes a large photo at the detector base scale close to sharp (a level or two apart on average)', async () => {
    const bytes = readFileSync(deepface('couple.jpg'));
    const header: ImageHeader = await readImageHeader(bytes, LIMITS);
    const native = await decodeImage(bytes, header, LIMITS, 0.25, undefined, 'libjpeg');
    const reference = await decodeImage(bytes, header, LIMITS, 0.25, undefined, 'sharp');
    expect([native.width, native.height]).toEqual([Math.ceil(header.width / 4), Math.ceil(header.height / 4)]);
    expect(meanAbsDiff(native.data, reference.data)).toBeLessThan(3);
  });
});
