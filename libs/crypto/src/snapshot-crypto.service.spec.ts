import { randomBytes, randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type TenantId } from '@app/contracts';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { FRAME_PREFIX_BYTES, FRAME_TAG_BYTES, SNAPSHOT_HEADER_BYTES } from './snapshot-format';
import { type Harness, harness, newTenant, rejection } from './spec-helpers';

const CHUNK = 1000;
const FRAME = FRAME_PREFIX_BYTES + CHUNK + FRAME_TAG_BYTES;

/** Feeds `data` in pieces of `piece` bytes, so frames straddle writes. */
function pieces(data: Buffer, piece: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) parts.push(data.subarray(i, i + piece));
  return Readable.from(parts, { objectMode: false });
}

async function collect(source: Readable, transform: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(source, transform, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
  return Buffer.concat(out);
}

async function seal(h: Harness, tenant: TenantId, snapshotId: string, data: Buffer, piece = 777): Promise<Buffer> {
  return collect(pieces(data, piece), await h.snapshots.createEncryptStream(tenant, snapshotId));
}

function open(h: Harness, tenant: TenantId, snapshotId: string, sealed: Buffer, piece = 333): Promise<Buffer> {
  return collect(pieces(sealed, piece), h.snapshots.createDecryptStream(tenant, snapshotId));
}

async function setup() {
  const h = harness({ snapshotChunkBytes: CHUNK });
  const tenant = newTenant();
  await h.keys.provisionTenant(tenant);
  return { h, tenant, id: randomUUID() };
}

const frameAt = (i: number) => SNAPSHOT_HEADER_BYTES + i * FRAME;

describe('SnapshotCryptoService', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 123])('round-trips %i bytes in chunks', async (size) => {
    const { h, tenant, id } = await setup();
    const data = randomBytes(size);
    for (const [inPiece, outPiece] of [[777, 333], [10 * CHUNK, 1], [1, 50_000]]) {
      const sealed = await seal(h, tenant, id, data, inPiece);
      const frames = Math.max(1, Math.ceil(size / CHUNK));
      expect(sealed.length).toBe(SNAPSHOT_HEADER_BYTES + frames * (FRAME_PREFIX_BYTES + FRAME_TAG_BYTES) + size);
      expect((await open(h, tenant, id, sealed, outPiece)).equals(data)).toBe(true);
    }
  });

  it.each([0, 1, CHUNK, CHUNK + 1, 5 * CHUNK + 123])('seals %i bytes at once in the streaming format (seal), frame for frame', async (size) => {
    const { h, tenant, id } = await setup();
    const data = randomBytes(size);
    const sealed = await h.snapshots.seal(tenant, id, data);
    expect(sealed.length).toBe((await seal(h, tenant, id, data)).length);
    expect((await open(h, tenant, id, sealed)).equals(data)).toBe(true);
    // Bound to its id like the stream's output.
    await expect(open(h, tenant, randomUUID(), sealed)).rejects.toThrow();
  });

  it('does not reveal the plaintext', async () => {
    const { h, tenant, id } = await setup();
    const data = Buffer.alloc(3 * CHUNK, 'face-embedding!');
    const sealed = await seal(h, tenant, id, data);
    expect(sealed.includes(Buffer.from('face-embedding!'))).toBe(false);
  });

  it('detects truncation, at a frame boundary or inside one', async () => {
    const { h, tenant, id } = await setup();
    const sealed = await seal(h, tenant, id, randomBytes(3 * CHUNK + 10));
    for (const cut of [0, 5, SNAPSHOT_HEADER_BYTES, frameAt(1), frameAt(2), frameAt(3), frameAt(2) + 40, sealed.length - 1]) {
      const err = await rejection(open(h, tenant, id, sealed.subarray(0, cut)));
      expect(err).toBeInstanceOf(CryptoError);
      expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    }
  });

  it('detects reordered, dropped, duplicated and appended frames', async () => {
    const { h, tenant, id } = await setup();
    const sealed = await seal(h, tenant, id, randomBytes(3 * CHUNK + 10));
    const header = sealed.subarray(0, SNAPSHOT_HEADER_BYTES);
    const f = [0, 1, 2, 3].map((i) => sealed.subarray(frameAt(i), i === 3 ? sealed.length : frameAt(i + 1)));
    const variants = [
      [header, f[1], f[0], f[2], f[3]],
      [header, f[0], f[2], f[3]],
      [header, f[0], f[0], f[1], f[2], f[3]],
      [header, f[0], f[1], f[2], f[3], f[3]],
      [header, f[0], f[1], f[2], f[3], Buffer.from([0])],
    ];
    for (const parts of variants) {
      const err = await rejection(open(h, tenant, id, Buffer.concat(parts)));
      expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    }
    expect((await open(h, tenant, id, Buffer.concat([header, ...f]))).length).toBe(3 * CHUNK + 10);
  });

  it('detects a flipped bit in the header, any frame prefix, body or tag', async () => {
    const { h, tenant, id } = await setup();
    const sealed = await seal(h, tenant, id, randomBytes(2 * CHUNK + 10));
    const positions = [
      ...Array.from({ length: SNAPSHOT_HEADER_BYTES }, (_, i) => i),
      ...Array.from({ length: FRAME_PREFIX_BYTES }, (_, i) => frameAt(1) + i),
      frameAt(0) + FRAME_PREFIX_BYTES + 500,
      frameAt(1) - 1,
      sealed.length - 1,
    ];
    for (const at of positions) {
      const t = Buffer.from(sealed);
      t[at] ^= 0x01;
      const err = await rejection(open(h, tenant, id, t));
      expect(err).toBeInstanceOf(CryptoError);
    }
  });

  it('binds tenant and snapshot id', async () => {
    const { h, tenant, id } = await setup();
    const other = newTenant();
    await h.keys.provisionTenant(other);
    const sealed = await seal(h, tenant, id, randomBytes(100));
    for (const attempt of [open(h, tenant, randomUUID(), sealed), open(h, other, id, sealed)]) {
      const err = await rejection(attempt);
      expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    }
  });

  it('opens snapshots of older DEK versions after a rotation, and seals new ones under the new version', async () => {
    const { h, tenant, id } = await setup();
    const data = randomBytes(2500);
    const old = await seal(h, tenant, id, data);
    await h.keys.rotate(tenant);
    const fresh = await seal(h, tenant, id, data);
    expect(old.readUInt32BE(7)).toBe(1);
    expect(fresh.readUInt32BE(7)).toBe(2);
    expect((await open(h, tenant, id, old)).equals(data)).toBe(true);
    await h.keys.destroyVersion(tenant, 1);
    const err = await rejection(open(h, tenant, id, old));
    expect((err as CryptoError).code).toBe(CryptoErrorCode.KeyDestroyed);
  });

  it('zero-fills its private DEK copy when the stream ends', async () => {
    const { h, tenant, id } = await setup();
    const stream = await h.snapshots.createEncryptStream(tenant, id);
    const dek = (stream as unknown as { dek: Buffer }).dek;
    expect(dek.every((b) => b === 0)).toBe(false);
    await collect(pieces(randomBytes(10), 5), stream);
    expect(dek.every((b) => b === 0)).toBe(true);
  });
});
