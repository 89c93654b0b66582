import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type TenantId } from '@app/contracts';
import { type SnapshotCryptoService } from '@app/crypto';
import { type BlobStore } from '@app/storage';
import { HnswScrubTransform } from './hnsw-scrub.transform';
import {
  decodeSnapshotPrefix,
  encodeSnapshotPrefix,
  parseSnapshotHeader,
  SNAPSHOT_PREFIX_BYTES,
  type SnapshotHeader,
} from './snapshot-format';

const SNAPSHOT_ID_RE = /^\d{14}-[0-9a-f]{8}$/;

/**
 * Encrypted index snapshots in blob storage, `snapshots/<tenantId>/<snapshotId>`, sealed under the
 * tenant's data key (AAD binds tenant and snapshot id). Ids sort by creation time. Works on the files a
 * worker wrote (`<base>.ids`, `<base>.body`) and streams: memory holds one chunk, never the index.
 */
export class SnapshotStore {
  constructor(
    private readonly blobs: BlobStore,
    private readonly crypto: SnapshotCryptoService,
  ) {}

  static newId(now = Date.now()): string {
    return `${String(now).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
  }

  /** The tenant's snapshot ids, oldest first. */
  async list(tenantId: TenantId): Promise<string[]> {
    const prefix = `snapshots/${tenantId}/`;
    return (await this.blobs.list(prefix)).map((key) => key.slice(prefix.length)).filter((id) => SNAPSHOT_ID_RE.test(id));
  }

  async latest(tenantId: TenantId): Promise<string | undefined> {
    return (await this.list(tenantId)).at(-1);
  }

  /** Seals `<base>.ids` + `<base>.body` (deleted hnsw vectors zeroed on the way) into a new snapshot. */
  async write(tenantId: TenantId, snapshotId: string, base: string, header: Omit<SnapshotHeader, 'idsBytes' | 'bodyBytes'>): Promise<SnapshotHeader> {
    const [ids, body] = await Promise.all([stat(`${base}.ids`), stat(`${base}.body`)]);
    const full: SnapshotHeader = { ...header, idsBytes: ids.size, bodyBytes: body.size };
    const scrub = header.kind === 'hnsw' ? new HnswScrubTransform(header.dims * 4) : undefined;
    async function* plaintext(): AsyncGenerator<Buffer> {
      yield encodeSnapshotPrefix(full);
      for await (const chunk of createReadStream(`${base}.ids`, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
      const bodyStream = createReadStream(`${base}.body`, { highWaterMark: 1 << 20 });
      for await (const chunk of scrub ? bodyStream.pipe(scrub) : bodyStream) yield chunk as Buffer;
    }
    const encrypt = await this.crypto.createEncryptStream(tenantId, snapshotId);
    const results = await Promise.allSettled([this.blobs.put(this.key(tenantId, snapshotId), encrypt), pipeline(Readable.from(plaintext()), encrypt)]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.blobs.delete(this.key(tenantId, snapshotId)).catch(() => undefined);
      throw failed.reason;
    }
    return full;
  }

  /** Opens a snapshot into `<base>.ids` and `<base>.body` (files 0600) and returns its header. */
  async read(tenantId: TenantId, snapshotId: string, base: string): Promise<SnapshotHeader> {
    const source = await this.blobs.get(this.key(tenantId, snapshotId));
    const decrypt = this.crypto.createDecryptStream(tenantId, snapshotId);
    let header: SnapshotHeader | undefined;
    await pipeline(source, decrypt, async (plain: AsyncIterable<Buffer>) => {
      header = await splitSnapshot(plain, base);
    });
    if (!header) throw new Error('snapshot ended before its header');
    return header;
  }

  async delete(tenantId: TenantId, snapshotId: string): Promise<void> {
    await this.blobs.delete(this.key(tenantId, snapshotId));
  }

  /** Deletes every snapshot of the tenant; returns how many there were. */
  async deleteAll(tenantId: TenantId): Promise<number> {
    const ids = await this.list(tenantId);
    for (const id of ids) await this.delete(tenantId, id);
    return ids.length;
  }

  private key(tenantId: TenantId, snapshotId: string): string {
    return `snapshots/${tenantId}/${snapshotId}`;
  }
}

/** Parses prefix and header, then writes the ids and body sections to their files. */
async function splitSnapshot(plain: AsyncIterable<Buffer>, base: string): Promise<SnapshotHeader> {
  let pending = Buffer.alloc(0);
  let header: SnapshotHeader | undefined;
  let headerLength = -1;
  const ids = await open(`${base}.ids`, 'wx', 0o600);
  const body = await open(`${base}.body`, 'wx', 0o600);
  let idsLeft = 0;
  let bodyLeft = 0;
  try {
    for await (const chunk of plain) {
      let data = chunk;
      if (!header) {
        pending = Buffer.concat([pending, data]);
        if (headerLength < 0 && pending.length >= SNAPSHOT_PREFIX_BYTES) headerLength = decodeSnapshotPrefix(pending);
        if (headerLength < 0 || pending.length < SNAPSHOT_PREFIX_BYTES + headerLength) continue;
        header = parseSnapshotHeader(pending.subarray(SNAPSHOT_PREFIX_BYTES, SNAPSHOT_PREFIX_BYTES + headerLength));
        idsLeft = header.idsBytes;
        bodyLeft = header.bodyBytes;
        data = pending.subarray(SNAPSHOT_PREFIX_BYTES + headerLength);
        pending = Buffer.alloc(0);
      }
      if (idsLeft > 0 && data.length > 0) {
        const n = Math.min(idsLeft, data.length);
        await ids.write(data, 0, n);
        idsLeft -= n;
        data = data.subarray(n);
      }
      if (data.length > 0) {
        if (data.length > bodyLeft) throw new Error('snapshot is longer than its header says');
        await body.write(data, 0, data.length);
        bodyLeft -= data.length;
      }
    }
  } finally {
    await Promise.all([ids.close(), body.close()]);
  }
  if (!header || idsLeft !== 0 || bodyLeft !== 0) throw new Error('snapshot is shorter than its header says');
  return header;
}
