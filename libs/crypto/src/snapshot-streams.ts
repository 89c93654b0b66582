import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type TenantId } from '@app/contracts';
import { ByteQueue } from './byte-queue';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import {
  chunkAad,
  decodeSnapshotHeader,
  encodeSnapshotHeader,
  FLAG_FINAL,
  FRAME_IV_BYTES,
  FRAME_PREFIX_BYTES,
  FRAME_TAG_BYTES,
  SNAPSHOT_HEADER_BYTES,
  snapshotAadPrefix,
  type SnapshotHeader,
} from './snapshot-format';

/**
 * Plaintext bytes in, sealed snapshot out (format in snapshot-format.ts). Holds at most one chunk of
 * plaintext; owns `dek` (a private copy) and zero-fills it and its buffer when it ends or is destroyed.
 */
export class SnapshotEncryptStream extends Transform {
  private readonly header: Buffer;
  private readonly aadPrefix: Buffer;
  private readonly chunkBytes: number;
  private pending: Buffer;
  private filled = 0;
  private index = 0;
  private started = false;

  constructor(
    private readonly dek: Buffer,
    header: SnapshotHeader,
    tenantId: TenantId,
    snapshotId: string,
  ) {
    super();
    this.header = encodeSnapshotHeader(header);
    this.aadPrefix = snapshotAadPrefix(this.header, tenantId, snapshotId);
    this.chunkBytes = header.chunkBytes;
    this.pending = Buffer.alloc(0);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.start();
      let off = 0;
      while (off < chunk.length) {
        // A full chunk is sealed only once more bytes arrive: until then it may be the final one.
        if (this.filled === this.chunkBytes) {
          this.seal(this.pending, 0);
          this.filled = 0;
        }
        if (this.filled === 0 && chunk.length - off > this.chunkBytes) {
          // More input follows this whole chunk, so it is not final: seal it in place, no copy.
          this.seal(chunk.subarray(off, off + this.chunkBytes), 0);
          off += this.chunkBytes;
          continue;
        }
        if (this.pending.length === 0) this.pending = Buffer.allocUnsafe(this.chunkBytes);
        const n = Math.min(this.chunkBytes - this.filled, chunk.length - off);
        chunk.copy(this.pending, this.filled, off, off + n);
        this.filled += n;
        off += n;
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.start();
      this.seal(this.pending.subarray(0, this.filled), FLAG_FINAL);
      done();
    } catch (err) {
      done(err as Error);
    } finally {
      this.wipe();
    }
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    this.wipe();
    done(err);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.push(this.header);
  }

  /**
   * `plain` sealed as the whole stream, returned at once instead of pushed (small blobs: uploads).
   * Every frame is sealed straight from `plain`: no chunk-sized staging buffer. The DEK copy is
   * wiped; the stream is not to be used afterwards.
   */
  sealWhole(plain: Buffer): Buffer {
    try {
      const parts: Buffer[] = [this.header];
      for (let off = 0; ; off += this.chunkBytes) {
        const end = Math.min(plain.length, off + this.chunkBytes);
        const final = end >= plain.length;
        parts.push(...this.frame(plain.subarray(off, end), final ? FLAG_FINAL : 0));
        if (final) return Buffer.concat(parts);
      }
    } finally {
      this.wipe();
    }
  }

  private seal(plain: Buffer, flags: number): void {
    for (const part of this.frame(plain, flags)) this.push(part);
  }

  /** One frame: prefix (flags, length, IV), ciphertext, tag. */
  private frame(plain: Buffer, flags: number): Buffer[] {
    const prefix = Buffer.allocUnsafe(FRAME_PREFIX_BYTES);
    prefix[0] = flags;
    prefix.writeUInt32BE(plain.length, 1);
    const iv = randomBytes(FRAME_IV_BYTES);
    iv.copy(prefix, 5);
    const cipher = createCipheriv('aes-256-gcm', this.dek, iv, { authTagLength: FRAME_TAG_BYTES });
    cipher.setAAD(chunkAad(this.aadPrefix, this.index++, flags));
    const body = cipher.update(plain);
    cipher.final();
    return body.length > 0 ? [prefix, body, cipher.getAuthTag()] : [prefix, cipher.getAuthTag()];
  }

  private wipe(): void {
    this.dek.fill(0);
    this.pending.fill(0);
  }
}

type DecryptState = 'header' | 'prefix' | 'body' | 'tag' | 'done';

/**
 * Sealed snapshot in, plaintext out. Each chunk is released only after its tag verifies; the stream
 * errors with CryptoError (decrypt_failed) on tampering, reordering, truncation or trailing bytes, and
 * with unknown_key_version / key_destroyed / kms_unavailable when the DEK cannot be had.
 */
export class SnapshotDecryptStream extends Transform {
  private readonly queue = new ByteQueue();
  private state: DecryptState = 'header';
  private header: SnapshotHeader | undefined;
  private aadPrefix: Buffer = Buffer.alloc(0);
  private dek: Buffer | undefined;
  private decipher: DecipherGCM | undefined;
  private flags = 0;
  private remaining = 0;
  private plain: Buffer[] = [];
  private index = 0;

  constructor(
    private readonly loadDek: (keyVersion: number) => Promise<Buffer>,
    private readonly tenantId: TenantId,
    private readonly snapshotId: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.queue.push(chunk);
    this.drain().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    const complete = this.state === 'done' && this.queue.length === 0;
    this.wipe();
    done(complete ? undefined : fail('Sealed snapshot is truncated'));
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    this.wipe();
    done(err);
  }

  private async drain(): Promise<void> {
    for (;;) {
      switch (this.state) {
        case 'header': {
          if (this.queue.length < SNAPSHOT_HEADER_BYTES) return;
          const bytes = this.queue.take(SNAPSHOT_HEADER_BYTES);
          this.header = decodeSnapshotHeader(bytes);
          this.aadPrefix = snapshotAadPrefix(Buffer.from(bytes), this.tenantId, this.snapshotId);
          this.dek = await this.loadDek(this.header.keyVersion);
          this.state = 'prefix';
          break;
        }
        case 'prefix': {
          if (this.queue.length < FRAME_PREFIX_BYTES) return;
          const prefix = this.queue.take(FRAME_PREFIX_BYTES);
          this.flags = prefix[0];
          this.remaining = prefix.readUInt32BE(1);
          if ((this.flags & ~FLAG_FINAL) !== 0 || this.remaining > this.header!.chunkBytes) {
            throw fail(`Sealed snapshot chunk ${this.index} is corrupt`);
          }
          const iv = Buffer.from(prefix.subarray(5, 5 + FRAME_IV_BYTES));
          this.decipher = createDecipheriv('aes-256-gcm', this.dek!, iv, { authTagLength: FRAME_TAG_BYTES });
          this.decipher.setAAD(chunkAad(this.aadPrefix, this.index, this.flags));
          this.state = 'body';
          break;
        }
        case 'body': {
          // Decrypt as bytes arrive (no gather copy) but hold the plaintext until the tag verifies.
          while (this.remaining > 0 && this.queue.length > 0) {
            const piece = this.queue.takeUpTo(this.remaining);
            this.plain.push(this.decipher!.update(piece));
            this.remaining -= piece.length;
          }
          if (this.remaining > 0) return;
          this.state = 'tag';
          break;
        }
        case 'tag': {
          if (this.queue.length < FRAME_TAG_BYTES) return;
          this.decipher!.setAuthTag(Buffer.from(this.queue.take(FRAME_TAG_BYTES)));
          try {
            this.decipher!.final();
          } catch (cause) {
            this.discardPlain();
            throw fail(`Sealed snapshot chunk ${this.index} failed authentication`, cause);
          }
          for (const part of this.plain) this.push(part);
          this.plain = [];
          this.decipher = undefined;
          this.index++;
          this.state = this.flags & FLAG_FINAL ? 'done' : 'prefix';
          break;
        }
        case 'done':
          if (this.queue.length > 0) throw fail('Sealed snapshot has bytes after its final chunk');
          return;
      }
    }
  }

  private discardPlain(): void {
    for (const part of this.plain) part.fill(0);
    this.plain = [];
  }

  private wipe(): void {
    this.dek?.fill(0);
    this.discardPlain();
    this.queue.clear();
  }
}

function fail(detail: string, cause?: unknown): CryptoError {
  return new CryptoError(CryptoErrorCode.DecryptFailed, detail, { cause });
}
