import sharp from 'sharp';
import { FaceError } from '../face.error';
import { pngHeaderOnly } from '../testing/image-bytes.fixture';
import { readImageHeader } from './image.decoder';
import { ImageSource } from './image-source';

const LIMITS = { maxBytes: 1e7, maxPixels: 1e8 };

describe('ImageSource', () => {
  it('decodes at the scales asked, reuses a fine enough decode, and zero-fills every buffer on wipe', async () => {
    const bytes = await sharp({ create: { width: 800, height: 400, channels: 3, background: '#c08040' } }).jpeg().toBuffer();
    const source = new ImageSource(bytes, await readImageHeader(bytes, LIMITS), LIMITS);
    const quarter = await source.at(0.25);
    expect([quarter.image.width, quarter.image.height]).toEqual([200, 100]);
    expect(await source.at(0.2)).toBe(quarter);
    const full = await source.at(3);
    expect(full.scaleX).toBe(1);
    expect(await source.at(0.9)).toBe(full);
    // Asked for 0.3 with 1.25 tolerance: the quarter-size decode (0.25 >= 0.3 / 1.25) serves.
    expect(await source.at(0.3, 1.25)).toBe(quarter);
    expect(quarter.image.data.some((v) => v !== 0)).toBe(true);
    source.wipe();
    expect(quarter.image.data.every((v) => v === 0)).toBe(true);
    expect(full.image.data.every((v) => v === 0)).toBe(true);
  });
});

describe('ImageSource.region', () => {
  const noisy = () =>
    sharp({ create: { width: 1200, height: 900, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 90 }).toBuffer();

  it('decodes only the box, with the pixels a whole decode at that scale has there', async () => {
    const bytes = await noisy();
    const source = new ImageSource(bytes, await readImageHeader(bytes, LIMITS), LIMITS);
    await source.at(0.25);
    const region = await source.region(0.6, 1.25, { x1: 500, y1: 300, x2: 700, y2: 520 });
    // Not the quarter decode (0.25 * 1.25 < 0.6): a region at 0.6, with a margin around the box.
    expect(region.scaleX).toBeCloseTo(0.6, 3);
    expect(region.left).toBeLessThanOrEqual(Math.floor(500 * 0.6));
    expect(region.left + region.image.width).toBeGreaterThanOrEqual(Math.ceil(700 * 0.6));
    expect(region.top + region.image.height).toBeGreaterThanOrEqual(Math.ceil(520 * 0.6));
    expect(region.image.width * region.image.height).toBeLessThan(0.1 * 720 * 540);
    const whole = await new ImageSource(bytes, source.header, LIMITS).at(0.6);
    const { width } = region.image;
    for (const y of [0, 7, region.image.height - 1]) {
      const start = ((region.top + y) * whole.image.width + region.left) * 3;
      expect(Buffer.from(region.image.data.subarray(y * width * 3, (y + 1) * width * 3)).equals(Buffer.from(whole.image.data.subarray(start, start + width * 3)))).toBe(true);
    }
    // A region is never reused as a whole image, and is wiped with the rest.
    expect((await source.at(0.6)).left).toBe(0);
    source.wipe();
    expect(region.image.data.every((v) => v === 0)).toBe(true);
  });

  it('reuses a whole decode that is fine enough, and decodes whole when the box is most of the image', async () => {
    const bytes = await noisy();
    const source = new ImageSource(bytes, await readImageHeader(bytes, LIMITS), LIMITS);
    const half = await source.at(0.5);
    expect(await source.region(0.6, 1.25, { x1: 10, y1: 10, x2: 50, y2: 50 })).toBe(half);
    const big = await source.region(0.9, 1, { x1: 0, y1: 0, x2: 1100, y2: 850 });
    expect([big.left, big.top, big.image.width, big.image.height]).toEqual([0, 0, 1080, 810]);
  });
});

describe('ImageSource.open', () => {
  it('decodes a small input whole, with its displayed size as the header (EXIF applied)', async () => {
    const bytes = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#123456' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(bytes.length).toBeLessThan(128 * 1024);
    const source = await ImageSource.open(bytes, LIMITS);
    expect(source.header).toEqual({ format: 'jpeg', width: 20, height: 40 });
    expect(source.finest()!.image).toMatchObject({ width: 20, height: 40 });
  });

  it('still refuses a small file claiming too many pixels, before decoding them', async () => {
    const error = await ImageSource.open(pngHeaderOnly(30000, 30000), { maxBytes: 1e7, maxPixels: 60_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaceError);
    expect((error as FaceError).code).toBe('too_many_pixels');
  });

  it('reads only the header of a large input', async () => {
    const bytes = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 95 }).toBuffer();
    expect(bytes.length).toBeGreaterThan(128 * 1024);
    const source = await ImageSource.open(bytes, LIMITS);
    expect(source.header).toEqual({ format: 'jpeg', width: 1200, height: 900 });
    expect(source.finest()).toBeUndefined();
  });
});
