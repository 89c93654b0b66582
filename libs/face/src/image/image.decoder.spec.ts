import sharp from 'sharp';
import { FaceError } from '../face.error';
import { pngHeaderOnly } from '../testing/image-bytes.fixture';
import { countJpegScans, decodeImage, MAX_JPEG_SCANS, readImageHeader } from './image.decoder';
import { ImageSource } from './image-source';

const LIMITS = { maxBytes: 20 * 1024 * 1024, maxPixels: 60_000_000 };

/** 40x20: left half red, right half blue. */
const twoColour = () =>
  sharp({ create: { width: 40, height: 20, channels: 3, background: '#0000ff' } })
    .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: '#ff0000' } }, left: 0, top: 0 }]);

async function rejection(promise: Promise<unknown>): Promise<FaceError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FaceError);
  return error as FaceError;
}

async function decodeAll(bytes: Uint8Array, scale = 1) {
  const header = await readImageHeader(bytes, LIMITS);
  return { header, image: await decodeImage(bytes, header, LIMITS, scale) };
}

describe('image decoding: the bad inputs of API.md', () => {
  it('a truncated JPEG is corrupt_image (422)', async () => {
    const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } })
      .composite([{ input: Buffer.from('<svg width="320" height="240"><circle cx="160" cy="120" r="90" fill="#3a7"/></svg>') }])
      .jpeg({ quality: 95 })
      .toBuffer();
    const error = await rejection(decodeAll(jpeg.subarray(0, Math.floor(jpeg.length / 2))));
    expect(error.code).toBe('corrupt_image');
    expect(error.kind).toBe('unprocessable');
  });

  it('a 0-byte file is corrupt_image', async () => {
    expect((await rejection(readImageHeader(new Uint8Array(0), LIMITS))).code).toBe('corrupt_image');
  });

  it('text is unsupported_format (415)', async () => {
    const error = await rejection(readImageHeader(Buffer.from('name,identity\nimg1.jpg,id00\n'), LIMITS));
    expect(error.code).toBe('unsupported_format');
    expect(error.kind).toBe('unsupported');
  });

  it('SVG is unsupported_format, even though the image library could render it', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect(await sharp(svg).metadata()).toMatchObject({ format: 'svg' });
    const error = await rejection(readImageHeader(svg, LIMITS));
    expect(error.code).toBe('unsupported_format');
    expect(error.detail).toContain('SVG');
  });

  it('a PNG whose header claims 30000x30000 is too_many_pixels, decided from the header alone', async () => {
    const png = pngHeaderOnly(30000, 30000);
    expect(png.length).toBeLessThan(120);
    const error = await rejection(readImageHeader(png, LIMITS));
    expect(error.code).toBe('too_many_pixels');
    expect(error.kind).toBe('unprocessable');
  });

  it('the same header under the limit passes the header check, then fails to decode as corrupt', async () => {
    const png = pngHeaderOnly(100, 100);
    await expect(readImageHeader(png, LIMITS)).resolves.toMatchObject({ format: 'png', width: 100, height: 100 });
    expect((await rejection(decodeAll(png))).code).toBe('corrupt_image');
  });

  it('more bytes than the limit is too_large (413)', async () => {
    const error = await rejection(readImageHeader(new Uint8Array(11).fill(0xff), { ...LIMITS, maxBytes: 10 }));
    expect(error.code).toBe('too_large');
    expect(error.kind).toBe('too_large');
  });

  it('JPEG magic on garbage is corrupt_image', async () => {
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x41)]);
    expect((await rejection(decodeAll(garbage))).code).toBe('corrupt_image');
  });
});

describe('image decoding: what it accepts', () => {
  it.each(['png', 'webp', 'avif', 'tiff', 'gif', 'jpeg'] as const)('decodes %s to RGB of the right size', async (format) => {
    const encoded = await twoColour().toFormat(format).toBuffer();
    const { header, image } = await decodeAll(encoded);
    expect(header).toEqual({ format, width: 40, height: 20 });
    expect(image.data.length).toBe(40 * 20 * 3);
    // Left pixel red, right pixel blue (lossy formats: roughly).
    const at = (x: number, y: number) => Array.from(image.data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3));
    expect(at(5, 10)[0]).toBeGreaterThan(200);
    expect(at(35, 10)[2]).toBeGreaterThan(200);
  });

  it('applies the EXIF orientation: a 40x20 image tagged "rotate 90°" is displayed 20x40', async () => {
    const jpeg = await twoColour().jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await sharp(jpeg).metadata()).toMatchObject({ width: 40, height: 20, orientation: 6 });
    const { header, image } = await decodeAll(jpeg);
    expect(header).toMatchObject({ width: 20, height: 40 });
    expect([image.width, image.height]).toEqual([20, 40]);
    // Orientation 6 turns the image clockwise: its left (red) half is now on top.
    const at = (x: number, y: number) => Array.from(image.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3));
    expect(at(10, 5)[0]).toBeGreaterThan(200);
    expect(at(10, 35)[2]).toBeGreaterThan(200);
  });

  it('flattens transparency onto white', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const { image } = await decodeAll(png);
    expect(Array.from(image.data.subarray(0, 3))).toEqual([255, 255, 255]);
  });

  it('decodes shrunk when asked for a smaller scale', async () => {
    const jpeg = await sharp({ create: { width: 1000, height: 600, channels: 3, background: '#446688' } }).jpeg().toBuffer();
    const { image } = await decodeAll(jpeg, 0.25);
    expect([image.width, image.height]).toEqual([250, 150]);
  });

  it('takes the first frame of an animated GIF', async () => {
    const frame = (colour: string) => sharp({ create: { width: 10, height: 30, channels: 3, background: colour } }).png().toBuffer();
    const animated = await sharp([await frame('#00ff00'), await frame('#ff0000')], { join: { animated: true } }).gif().toBuffer();
    expect(await sharp(animated, { pages: -1 }).metadata()).toMatchObject({ pages: 2, height: 60 });
    const { header, image } = await decodeAll(animated);
    expect(header).toMatchObject({ format: 'gif', width: 10, height: 30 });
    expect(Array.from(image.data.subarray(0, 3))).toEqual([0, 255, 0]);
  });
});

describe('JPEG scan count (decompression bomb guard)', () => {
  const photoLike = (progressive: boolean) =>
    sharp({ create: { width: 96, height: 64, channels: 3, background: '#8a6f5c' } })
      .composite([{ input: Buffer.from('<svg width="96" height="64"><circle cx="48" cy="32" r="20" fill="#3a7"/></svg>') }])
      .jpeg({ quality: 90, progressive })
      .toBuffer();

  /** Where the first scan (SOS segment and its data) starts and where EOI starts. */
  const scanSpan = (jpeg: Buffer) => ({ start: jpeg.indexOf(Buffer.from([0xff, 0xda])), end: jpeg.length - 2 });

  it('counts one scan in a baseline JPEG and several in a progressive one', async () => {
    expect(countJpegScans(await photoLike(false))).toBe(1);
    const progressive = countJpegScans(await photoLike(true));
    expect(progressive).toBeGreaterThan(1);
    expect(progressive).toBeLessThan(20);
  });

  it('skips segment payloads: FF DA inside an APP1 (say, an EXIF thumbnail) is not a scan', async () => {
    const jpeg = await photoLike(false);
    const payload = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.alloc(40, 0xda).fill(0xff, 0, 20)]);
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
    expect(countJpegScans(Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]))).toBe(1);
  });

  it('refuses a JPEG of 600 scans as corrupt_image before any decoder runs', async () => {
    const jpeg = await photoLike(false);
    const { start, end } = scanSpan(jpeg);
    const bomb = Buffer.concat([jpeg.subarray(0, start), ...Array.from({ length: 600 }, () => jpeg.subarray(start, end)), jpeg.subarray(end)]);
    expect(countJpegScans(bomb)).toBe(MAX_JPEG_SCANS + 1);
    expect(countJpegScans(bomb, Infinity)).toBe(600);
    const error = await rejection(ImageSource.open(bomb, LIMITS));
    expect(error.code).toBe('corrupt_image');
    expect(error.detail).toMatch(/more than 500 scans/);
    // Stray bytes between segments (libjpeg skips them with a warning) do not hide the scans after them.
    const firstSegmentEnd = 4 + bomb.readUInt16BE(4);
    const stray = Buffer.concat([bomb.subarray(0, firstSegmentEnd), Buffer.from([0x00, 0x12]), bomb.subarray(firstSegmentEnd)]);
    expect(countJpegScans(stray, Infinity)).toBe(600);
    expect((await rejection(ImageSource.open(stray, LIMITS))).code).toBe('corrupt_image');
    // 500 scans pass this check (and go to the decoders, which judge the rest).
    const many = Buffer.concat([jpeg.subarray(0, start), ...Array.from({ length: 500 }, () => jpeg.subarray(start, end)), jpeg.subarray(end)]);
    expect(countJpegScans(many)).toBe(500);
  });
});
