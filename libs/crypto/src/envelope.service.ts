import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type TenantId } from '@app/contracts';
import { CryptoError } from './crypto.error';
import { embeddingKeyVersion, openEmbedding, sealEmbedding } from './embedding-blob';
import { openSecretBlob, sealSecretBlob, secretKeyVersion } from './secret-blob';
import { type TenantKeyring } from './tenant-keyring';

/** One stored row to open: the blob and what it was sealed for. */
export interface SealedEmbedding {
  readonly faceId: string;
  readonly modelVersion: string;
  readonly blob: Buffer;
}

// Rows opened per event-loop turn in decryptMany: ~1 ms of work, so a big index load never stalls requests.
const ROWS_PER_TURN = 128;

/**
 * Seals and opens embeddings with the tenant's DEK (AES-256-GCM, AAD = tenant, face, model version),
 * and small secrets kept in rows (AAD = tenant, purpose). Ids are bound byte for byte: pass them in
 * canonical form (lower-case UUIDs).
 */
export class EnvelopeService {
  constructor(private readonly keyring: TenantKeyring) {}

  async encrypt(tenantId: TenantId, faceId: string, modelVersion: string, vector: Float32Array): Promise<Buffer> {
    if (vector.length === 0) throw new RangeError('cannot seal an empty vector');
    return this.keyring.withCurrentDek(tenantId, (dek, version) =>
      sealEmbedding(dek, version, { tenantId, faceId, modelVersion }, vector, this.keyring.options.now()),
    );
  }

  async decrypt(tenantId: TenantId, faceId: string, modelVersion: string, blob: Buffer): Promise<Float32Array> {
    return this.keyring.withDek(tenantId, embeddingKeyVersion(blob), (dek) => openEmbedding(dek, { tenantId, faceId, modelVersion }, blob));
  }

  /**
   * Opens many rows of one tenant (index loads, re-encryption batches), in input order. Each DEK
   * version is resolved once; rows are opened in slices with a yield between them. Any bad row fails the
   * whole call with a CryptoError naming its index.
   */
  async decryptMany(tenantId: TenantId, rows: readonly SealedEmbedding[]): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(rows.length);
    const versions = new Uint32Array(rows.length);
    for (let i = 0; i < rows.length; i++) versions[i] = this.keyVersionAt(rows[i].blob, i);
    for (let start = 0; start < rows.length; start += ROWS_PER_TURN) {
      const end = Math.min(rows.length, start + ROWS_PER_TURN);
      let i = start;
      while (i < end) {
        const version = versions[i];
        // Open the run of rows sharing this version under one key lookup.
        i = await this.keyring.withDek(tenantId, version, (dek) => {
          let j = i;
          for (; j < end && versions[j] === version; j++) {
            const row = rows[j];
            try {
              out[j] = openEmbedding(dek, { tenantId, faceId: row.faceId, modelVersion: row.modelVersion }, row.blob);
            } catch (err) {
              throw rowError(err, j);
            }
          }
          return j;
        });
      }
      if (end < rows.length) await yieldToEventLoop();
    }
    return out;
  }

  /**
   * Re-seals a blob under the tenant's current DEK version (rotation). Returns the input unchanged when
   * it already is on the current version, so callers can skip the write when `result === blob`.
   */
  async reencrypt(tenantId: TenantId, blob: Buffer, faceId: string, modelVersion: string): Promise<Buffer> {
    const current = await this.keyring.currentVersion(tenantId);
    if (embeddingKeyVersion(blob) === current) return blob;
    const vector = await this.decrypt(tenantId, faceId, modelVersion, blob);
    try {
      return await this.keyring.withDek(tenantId, current, (dek) =>
        sealEmbedding(dek, current, { tenantId, faceId, modelVersion }, vector, this.keyring.options.now()),
      );
    } finally {
      vector.fill(0);
    }
  }

  /** The DEK version a blob is sealed under, from its clear header. */
  keyVersionOf(blob: Buffer): number {
    return embeddingKeyVersion(blob);
  }

  /**
   * Seals a small secret (1..4096 bytes) under the tenant's current DEK; `purpose` names its use (e.g.
   * 'webhook-secret') and is bound in the AAD. The caller still owns, and zero-fills, `plaintext`.
   * Whatever stores the blob must be a registered SealedDataSet, or rotation leaves it unreadable.
   */
  async sealSecret(tenantId: TenantId, purpose: string, plaintext: Buffer): Promise<Buffer> {
    return this.keyring.withCurrentDek(tenantId, (dek, version) =>
      sealSecretBlob(dek, version, { tenantId, purpose }, plaintext, this.keyring.options.now()),
    );
  }

  /** Opens a sealed secret of this tenant and purpose; the caller zero-fills the returned Buffer when done. */
  async openSecret(tenantId: TenantId, purpose: string, blob: Buffer): Promise<Buffer> {
    return this.keyring.withDek(tenantId, secretKeyVersion(blob), (dek) => openSecretBlob(dek, { tenantId, purpose }, blob));
  }

  /** Re-seals a secret under the current DEK version; returns the input unchanged when it already is current. */
  async reencryptSecret(tenantId: TenantId, purpose: string, blob: Buffer): Promise<Buffer> {
    const current = await this.keyring.currentVersion(tenantId);
    if (secretKeyVersion(blob) === current) return blob;
    const plaintext = await this.openSecret(tenantId, purpose, blob);
    try {
      return await this.keyring.withDek(tenantId, current, (dek) =>
        sealSecretBlob(dek, current, { tenantId, purpose }, plaintext, this.keyring.options.now()),
      );
    } finally {
      plaintext.fill(0);
    }
  }

  /** The DEK version a sealed secret is under, from its clear header. */
  keyVersionOfSecret(blob: Buffer): number {
    return secretKeyVersion(blob);
  }

  private keyVersionAt(blob: Buffer, index: number): number {
    try {
      return embeddingKeyVersion(blob);
    } catch (err) {
      throw rowError(err, index);
    }
  }
}

function rowError(err: unknown, index: number): unknown {
  if (!(err instanceof CryptoError)) return err;
  return new CryptoError(err.code, `Row ${index}: ${err.detail}`, { cause: err.cause });
}
