import { type TenantId } from '@app/contracts';
import { SnapshotDecryptStream, SnapshotEncryptStream } from './snapshot-streams';
import { type TenantKeyring } from './tenant-keyring';

/**
 * Index snapshots at rest, sealed under the tenant's DEK in chunks, streaming: use with
 * `stream.pipeline(source, stream, sink)`, or iterate the stream (`for await (const part of
 * source.pipe(stream))`). Neither direction ever holds more than one chunk of the snapshot.
 */
export class SnapshotCryptoService {
  constructor(private readonly keyring: TenantKeyring) {}

  /** Resolves the current DEK first, so a KMS outage fails here (503) before any byte is written. */
  async createEncryptStream(tenantId: TenantId, snapshotId: string): Promise<SnapshotEncryptStream> {
    const keyVersion = await this.keyring.currentVersion(tenantId);
    const dek = await this.keyring.copyDek(tenantId, keyVersion);
    const header = { keyVersion, createdAt: this.keyring.options.now(), chunkBytes: this.keyring.options.snapshotChunkBytes };
    return new SnapshotEncryptStream(dek, header, tenantId, snapshotId);
  }

  /** A whole buffer sealed at once, in the same format (small blobs such as uploads; opens with createDecryptStream). */
  async seal(tenantId: TenantId, snapshotId: string, plaintext: Buffer): Promise<Buffer> {
    return (await this.createEncryptStream(tenantId, snapshotId)).sealWhole(plaintext);
  }

  /** The DEK version is read from the stream's header, so old snapshots open during a rotation. */
  createDecryptStream(tenantId: TenantId, snapshotId: string): SnapshotDecryptStream {
    return new SnapshotDecryptStream((version) => this.keyring.copyDek(tenantId, version), tenantId, snapshotId);
  }
}
