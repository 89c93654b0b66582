import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FacesearchImageTooLargeError } from './facesearch.error';
import { DEFAULT_MAX_IMAGE_BYTES, IMAGE_KINDS, kindOf, readUpload, sourceOf } from './image-input';
import { multipartForm } from './multipart';

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

/** The body fetch would send, parsed back the way a server parses it. */
async function roundTrip(form: FormData): Promise<{ contentType: string; raw: string; parsed: FormData }> {
  const req = new Request('https://faces.example.com/', { method: 'POST', body: form });
  const contentType = req.headers.get('content-type') ?? '';
  const raw = await req.clone().text();
  return { contentType, raw, parsed: await req.formData() };
}

describe('readUpload', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sdk-upload-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a path, named after the file', async () => {
    const path = join(dir, 'holiday 1.jpg');
    writeFileSync(path, JPEG);
    const { blob, filename } = await readUpload({ path }, DEFAULT_MAX_IMAGE_BYTES);
    expect(filename).toBe('holiday 1.jpg');
    expect(await bytesOf(blob)).toEqual(JPEG);
  });

  it('takes a Buffer, a Uint8Array or an ArrayBuffer, and copies it (the caller may reuse theirs)', async () => {
    for (const buffer of [Buffer.from(JPEG), JPEG.slice(), JPEG.slice().buffer]) {
      const { blob, filename } = await readUpload({ buffer, filename: 'a.jpg' }, DEFAULT_MAX_IMAGE_BYTES);
      expect(filename).toBe('a.jpg');
      new Uint8Array(buffer instanceof ArrayBuffer ? buffer : buffer.buffer).fill(0);
      expect(await bytesOf(blob)).toEqual(JPEG);
    }
    await expect(readUpload({ buffer: JPEG }, DEFAULT_MAX_IMAGE_BYTES)).resolves.toMatchObject({ filename: 'image' });
  });

  it('reads a Readable (or any async iterable of bytes) to its end', async () => {
    const { blob } = await readUpload({ stream: Readable.from([Buffer.from([0xff, 0xd8]), Buffer.from([0xff, 0xe0, 1, 2, 3, 4])]) }, DEFAULT_MAX_IMAGE_BYTES);
    expect(await bytesOf(blob)).toEqual(JPEG);
    async function* chunks() {
      yield JPEG.subarray(0, 3);
      yield JPEG.subarray(3);
    }
    expect(await bytesOf((await readUpload({ stream: chunks() }, DEFAULT_MAX_IMAGE_BYTES)).blob)).toEqual(JPEG);
  });

  it('refuses text chunks (a stream with an encoding set) and things that are not streams', async () => {
    const text = Readable.from(['not', 'bytes']);
    await expect(readUpload({ stream: text as unknown as Readable }, DEFAULT_MAX_IMAGE_BYTES)).rejects.toThrow(/must yield bytes/);
    await expect(readUpload({ stream: JPEG as unknown as Readable }, DEFAULT_MAX_IMAGE_BYTES)).rejects.toThrow(/async iterable/);
    await expect(readUpload({ buffer: 'abc' as unknown as Uint8Array }, DEFAULT_MAX_IMAGE_BYTES)).rejects.toThrow(TypeError);
    await expect(readUpload({ buffer: JPEG, filename: 'a"b.jpg' }, DEFAULT_MAX_IMAGE_BYTES)).rejects.toThrow(/filename/);
  });

  describe('over the limit: a clear error before anything is sent', () => {
    it('a path, from its size, without reading it', async () => {
      const path = join(dir, 'big.jpg');
      writeFileSync(path, Buffer.alloc(21 * 1024 * 1024));
      const err = await readUpload({ path }, DEFAULT_MAX_IMAGE_BYTES).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FacesearchImageTooLargeError);
      expect(err).toMatchObject({ code: 'too_large', maxBytes: 20 * 1024 * 1024, size: 21 * 1024 * 1024 });
      expect((err as Error).message).toMatch(/big\.jpg" is 21 MiB \(22020096 bytes\), over the limit of 20 MiB \(20971520 bytes\).*maxBytes/);
      // maxBytes on the image (or the client's maxImageBytes) raises it.
      await expect(readUpload({ path, maxBytes: 32 * 1024 * 1024 }, DEFAULT_MAX_IMAGE_BYTES)).resolves.toMatchObject({ filename: 'big.jpg' });
    });

    it('a buffer', async () => {
      await expect(readUpload({ buffer: JPEG }, 7)).rejects.toMatchObject({ name: 'FacesearchImageTooLargeError', size: 8, maxBytes: 7 });
      await expect(readUpload({ buffer: JPEG, maxBytes: 8 }, 7)).resolves.toBeDefined();
    });

    it('a stream: stops reading at the limit and destroys it', async () => {
      let pulled = 0;
      const stream = new Readable({
        read() {
          pulled++;
          this.push(Buffer.alloc(1024));
        },
      });
      const err = await readUpload({ stream, maxBytes: 4096 }, DEFAULT_MAX_IMAGE_BYTES).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FacesearchImageTooLargeError);
      expect((err as Error).message).toMatch(/more than 4096 bytes/);
      expect(pulled).toBeLessThan(10);
      expect(stream.destroyed).toBe(true);
    });

    it('rejects a nonsensical limit', async () => {
      await expect(readUpload({ buffer: JPEG, maxBytes: 0 }, DEFAULT_MAX_IMAGE_BYTES)).rejects.toThrow(/maxBytes/);
    });
  });
});

describe('kindOf and sourceOf', () => {
  it('wants exactly one form', () => {
    expect(kindOf({ path: 'a.jpg' }, 'image', IMAGE_KINDS)).toBe('path');
    expect(kindOf({ url: 'https://x', filename: 'ignored' }, 'image', IMAGE_KINDS)).toBe('url');
    expect(() => kindOf({}, 'image', IMAGE_KINDS)).toThrow(/exactly one of path, buffer, stream, url, s3$/);
    expect(() => kindOf({ path: 'a', url: 'b' }, 'image', IMAGE_KINDS)).toThrow(/\(got path, url\)/);
    expect(() => kindOf({ faceId: 'f' }, 'image', IMAGE_KINDS)).toThrow(TypeError);
    expect(() => kindOf(null, 'image', IMAGE_KINDS)).toThrow(TypeError);
  });

  it('keeps only the API\'s fields of a source', () => {
    expect(sourceOf({ url: 'https://x/a.jpg', extra: 1 } as { url: string })).toEqual({ url: 'https://x/a.jpg' });
    expect(sourceOf({ s3: { bucket: 'b', key: 'k' } })).toEqual({ s3: { bucket: 'b', key: 'k' } });
    expect(sourceOf({ s3: { bucket: 'b', key: 'k', versionId: 'v1' } })).toEqual({ s3: { bucket: 'b', key: 'k', versionId: 'v1' } });
    expect(() => sourceOf({ s3: { bucket: 'b' } as never })).toThrow(/bucket and a key/);
  });
});

describe('multipartForm', () => {
  it('sends files under their field names and optional fields as form fields of the same names', async () => {
    const image = await readUpload({ buffer: JPEG, filename: 'img1.jpg' }, DEFAULT_MAX_IMAGE_BYTES);
    const form = multipartForm(
      { image },
      { maxFaces: 3, threshold: 0.25, qualityFilter: 'high', flag: true, metadata: { album: 'Summer "24"' }, callbackUrl: undefined, skipped: null },
    );
    const { contentType, raw, parsed } = await roundTrip(form);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(raw).toContain('Content-Disposition: form-data; name="image"; filename="img1.jpg"');
    expect([...parsed.keys()]).toEqual(['image', 'maxFaces', 'threshold', 'qualityFilter', 'flag', 'metadata']);
    const file = parsed.get('image') as File;
    expect(file.name).toBe('img1.jpg');
    expect(await bytesOf(file)).toEqual(JPEG);
    expect(parsed.get('maxFaces')).toBe('3');
    expect(parsed.get('threshold')).toBe('0.25');
    expect(parsed.get('qualityFilter')).toBe('high');
    expect(parsed.get('flag')).toBe('true');
    // JSON values as strings: the server parses them back.
    expect(JSON.parse(parsed.get('metadata') as string)).toEqual({ album: 'Summer "24"' });
  });

  it('refuses values a form cannot carry, and a field that shadows a file', () => {
    expect(() => multipartForm({}, { maxFaces: Number.NaN })).toThrow(/maxFaces must be a finite number/);
    expect(() => multipartForm({}, { f: () => 1 })).toThrow(/cannot be sent/);
    expect(() => multipartForm({ a: { blob: new Blob([JPEG]), filename: 'a' } }, { a: 'x' })).toThrow(/file already/);
  });
});
