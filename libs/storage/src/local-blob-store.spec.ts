import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalBlobStore } from './local-blob-store';
import { blobStoreContract, chunked } from './spec-helpers';

describe('LocalBlobStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'blob-store-'));
  const store = new LocalBlobStore(join(root, 'blobs'));
  afterAll(() => rm(root, { recursive: true, force: true }));

  blobStoreContract(() => store, () => 'local/');

  it('writes owner-only files and leaves no temporary file behind', async () => {
    await store.put('modes/x', Buffer.from('secret'));
    expect(statSync(join(root, 'blobs/modes/x')).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'blobs/modes')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(root, 'blobs/.tmp'))).toEqual([]);
  });

  it('a failing body stream leaves the previous blob intact and no partial file', async () => {
    await store.put('atomic/x', Buffer.from('previous'));
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000, 1));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(store.put('atomic/x', failing)).rejects.toThrow();
    const chunks: Buffer[] = [];
    for await (const c of await store.get('atomic/x')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('previous');
    expect(readdirSync(join(root, 'blobs/.tmp'))).toEqual([]);
  });

  it('destroys a stream body it could not write, so its producer ends instead of waiting for a reader', async () => {
    // A root that is a file: the store cannot create its folders.
    writeFileSync(join(root, 'not-a-folder'), 'x');
    const broken = new LocalBlobStore(join(root, 'not-a-folder', 'blobs'));
    const body = new Readable({ read() {} });
    await expect(broken.put('k', body)).rejects.toThrow();
    expect(body.destroyed).toBe(true);
  });

  it('does not list its temporary folder', async () => {
    await store.put('z', chunked(Buffer.alloc(10)));
    expect((await store.list('')).some((k) => k.startsWith('.tmp'))).toBe(false);
  });
});
