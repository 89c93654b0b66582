import { Inject, Injectable } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import { type TenantId } from '@app/contracts';
import { SnapshotCryptoService } from '@app/crypto';
import { BLOB_STORE, type BlobStore, isStorageError, StorageErrorCode } from '@app/storage';

const keyOf = (tenantId: TenantId, jobId: string) => `uploads/${tenantId}/${jobId}`;

/**
 * Uploaded images wait for the worker here, sealed under the tenant's data key (so a copy of the blob
 * store reveals nothing), and are deleted as soon as the worker has read them.
 */
@Injectable()
export class TransientUploadStore {
  constructor(
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly crypto: SnapshotCryptoService,
  ) {}

  async put(tenantId: TenantId, jobId: string, bytes: Buffer): Promise<void> {
    await this.blobs.put(keyOf(tenantId, jobId), await this.crypto.seal(tenantId, `upload:${jobId}`, bytes));
  }

  /** The plaintext bytes, or null when the upload is gone (already taken, swept, or never stored). */
  async take(tenantId: TenantId, jobId: string): Promise<Buffer | null> {
    let sealed;
    try {
      // No exists() first: get() says when the blob is missing (one call to the store instead of two).
      sealed = await this.blobs.get(keyOf(tenantId, jobId));
    } catch (err) {
      if (isStorageError(err, StorageErrorCode.NotFound)) return null;
      throw err;
    }
    const opener = this.crypto.createDecryptStream(tenantId, `upload:${jobId}`);
    const chunks: Buffer[] = [];
    opener.on('data', (c: Buffer) => chunks.push(c));
    await pipeline(sealed, opener);
    return Buffer.concat(chunks);
  }

  async remove(tenantId: TenantId, jobId: string): Promise<void> {
    await this.blobs.delete(keyOf(tenantId, jobId));
  }
}
