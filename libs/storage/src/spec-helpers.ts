import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { type BlobStore } from './blob-store';
import { isStorageError, StorageErrorCode } from './storage.error';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Splits bytes into a stream of odd-sized chunks, as a cipher or socket would deliver them. */
export function chunked(bytes: Buffer, size = 65_537): Readable {
  const parts: Buffer[] = [];
  for (let off = 0; off < bytes.length; off += size) parts.push(bytes.subarray(off, off + size));
  return Readable.from(parts);
}

/** The behaviour every BlobStore shares; each adapter's suite runs it against its real backend. */
export function blobStoreContract(store: () => BlobStore, prefix: () => string): void {
  it('puts a Buffer and gets the same bytes back', async () => {
    const key = `${prefix()}a/one`;
    const bytes = randomBytes(1000);
    await store().put(key, bytes);
    expect(await readAll(await store().get(key))).toEqual(bytes);
    expect(await store().exists(key)).toBe(true);
  });

  it('puts a stream, replaces an existing blob, and lists keys under a prefix in order', async () => {
    const p = `${prefix()}b/`;
    await store().put(`${p}2`, Buffer.from('old'));
    const bytes = randomBytes(300_000);
    await store().put(`${p}2`, chunked(bytes));
    await store().put(`${p}1`, Buffer.from('x'));
    await store().put(`${prefix()}bb/3`, Buffer.from('y'));
    expect(await readAll(await store().get(`${p}2`))).toEqual(bytes);
    expect(await store().list(p)).toEqual([`${p}1`, `${p}2`]);
    expect(await store().list(`${prefix()}b`)).toEqual([`${p}1`, `${p}2`, `${prefix()}bb/3`]);
    expect(await store().list(`${prefix()}nothing/`)).toEqual([]);
  });

  it('deletes idempotently; a missing blob is blob_not_found on get and false on exists', async () => {
    const key = `${prefix()}c/gone`;
    await store().put(key, Buffer.from('bye'));
    await store().delete(key);
    await store().delete(key);
    expect(await store().exists(key)).toBe(false);
    const err = await store()
      .get(key)
      .then(() => undefined, (e: unknown) => e);
    expect(isStorageError(err, StorageErrorCode.NotFound)).toBe(true);
  });

  it('refuses keys that could escape or are malformed', async () => {
    for (const key of ['', '/abs', 'a/../b', 'a//b', './a', 'a/', 'sp ace', 'a\\b']) {
      const err = await store()
        .put(key, Buffer.from('x'))
        .then(() => undefined, (e: unknown) => e);
      expect(isStorageError(err, StorageErrorCode.InvalidKey)).toBe(true);
    }
    await expect(store().list('../')).rejects.toMatchObject({ code: StorageErrorCode.InvalidKey });
  });

  it('an empty body is a blob of zero bytes', async () => {
    const key = `${prefix()}d/empty`;
    await store().put(key, Readable.from([]));
    expect((await readAll(await store().get(key))).length).toBe(0);
  });
}
