import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { encodeAad } from './aad';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { type DataKeyContext, type GeneratedDataKey, type KeyProvider, type ScheduleDeletionOutcome } from './key-provider';

const WRAP_FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DEK_BYTES = 32;
const WRAPPED_BYTES = 1 + IV_BYTES + DEK_BYTES + TAG_BYTES;
const WRAP_DOMAIN = 'facesearch.dek-wrap.v1';

/**
 * Embedded provider: wraps DEKs with AES-256-GCM under the 32-byte master key, the tenant id and
 * purpose as additional data. Wrapped layout: format(1) | iv(12) | ciphertext(32) | tag(16).
 */
export class LocalKeyProvider implements KeyProvider {
  readonly name = 'local' as const;
  readonly defaultKeyId = null;
  private readonly masterKey: Buffer;

  constructor(masterKey: Buffer | undefined) {
    if (!masterKey || masterKey.length !== DEK_BYTES) {
      throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'The local key provider needs a 32-byte master key');
    }
    // Own copy, so close() can zero it without touching the config object.
    this.masterKey = Buffer.from(masterKey);
  }

  async generateDataKey(ctx: DataKeyContext, kmsKeyId?: string): Promise<GeneratedDataKey> {
    if (kmsKeyId !== undefined) {
      throw new CryptoError(CryptoErrorCode.ByokUnsupported, 'A tenant-owned KMS key needs KMS_PROVIDER=aws-kms');
    }
    const plaintext = randomBytes(DEK_BYTES);
    return { plaintext, wrapped: this.wrap(ctx, plaintext), kmsKeyId: null };
  }

  async unwrapDataKey(ctx: DataKeyContext, wrapped: Buffer, _kmsKeyId?: string | null): Promise<Buffer> {
    if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_FORMAT) {
      throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Wrapped data key has an unknown format');
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const body = wrapped.subarray(1 + IV_BYTES, 1 + IV_BYTES + DEK_BYTES);
    const tag = wrapped.subarray(1 + IV_BYTES + DEK_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(this.aad(ctx));
      decipher.setAuthTag(tag);
      const dek = decipher.update(body);
      decipher.final();
      return dek;
    } catch (cause) {
      throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Wrapped data key failed authentication', { cause });
    }
  }

  async scheduleKeyDeletion(): Promise<ScheduleDeletionOutcome> {
    // Local DEKs have no per-tenant master key: destroying the wrapped DEKs is the whole shred.
    return 'not_found';
  }

  async checkHealth(): Promise<void> {
    if (this.masterKey.every((b) => b === 0)) {
      throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'The local key provider is closed');
    }
  }

  close(): void {
    this.masterKey.fill(0);
  }

  private wrap(ctx: DataKeyContext, dek: Buffer): Buffer {
    const out = Buffer.allocUnsafe(WRAPPED_BYTES);
    out[0] = WRAP_FORMAT;
    const iv = randomBytes(IV_BYTES);
    iv.copy(out, 1);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad(ctx));
    cipher.update(dek).copy(out, 1 + IV_BYTES);
    cipher.final();
    cipher.getAuthTag().copy(out, 1 + IV_BYTES + DEK_BYTES);
    return out;
  }

  private aad(ctx: DataKeyContext): Buffer {
    return encodeAad(null, [WRAP_DOMAIN, ctx.tenantId, ctx.purpose]);
  }
}
