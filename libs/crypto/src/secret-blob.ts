import { createCipheriv, createDecipheriv } from 'node:crypto';
import { encodeAad } from './aad';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { fillIv } from './iv-pool';
import { writeU64 } from './u64';

/*
 * Sealed secret (a tenant's webhook secret and other small secrets kept in a row), self-describing:
 *   0  u8      format (0x53 'S', distinct from every embedding format byte)
 *   1  u32 BE  DEK version
 *   5  u64 BE  sealed at, ms since the epoch
 *  13  12      random IV
 *  25  n       ciphertext (n = plaintext length, 1..SECRET_MAX_BYTES)
 *  25+n 16     GCM tag
 * AAD = bytes 0..13 | len-prefixed("facesearch.secret.v1", tenantId, purpose): a blob copied to another
 * tenant, or to another use of a secret of the same tenant, fails to open.
 */
export const SECRET_FORMAT_V1 = 0x53;
export const SECRET_MAX_BYTES = 4096;
const HEADER_BYTES = 13;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX_BYTES = HEADER_BYTES + IV_BYTES;
export const SECRET_OVERHEAD_BYTES = PREFIX_BYTES + TAG_BYTES;
const DOMAIN = 'facesearch.secret.v1';

/** What a sealed secret is bound to. `purpose` names its use, e.g. 'webhook-secret'. */
export interface SecretBinding {
  readonly tenantId: string;
  readonly purpose: string;
}

/** The DEK version of a sealed secret, after checking it is one of ours. */
export function secretKeyVersion(blob: Buffer): number {
  if (blob.length <= SECRET_OVERHEAD_BYTES || blob[0] !== SECRET_FORMAT_V1) {
    throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Not a sealed secret of a known format');
  }
  return blob.readUInt32BE(1);
}

export function sealSecretBlob(dek: Buffer, keyVersion: number, binding: SecretBinding, plaintext: Buffer, now: number): Buffer {
  if (plaintext.length === 0 || plaintext.length > SECRET_MAX_BYTES) {
    throw new RangeError(`a sealed secret holds 1 to ${SECRET_MAX_BYTES} bytes`);
  }
  const out = Buffer.allocUnsafe(SECRET_OVERHEAD_BYTES + plaintext.length);
  out[0] = SECRET_FORMAT_V1;
  out.writeUInt32BE(keyVersion, 1);
  writeU64(out, 5, now);
  fillIv(out, HEADER_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dek, out.subarray(HEADER_BYTES, PREFIX_BYTES), { authTagLength: TAG_BYTES });
  cipher.setAAD(secretAad(out, binding));
  cipher.update(plaintext).copy(out, PREFIX_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(out, PREFIX_BYTES + plaintext.length);
  return out;
}

/** Opens a blob whose header was already checked against `dek`'s version. The caller zero-fills the result. */
export function openSecretBlob(dek: Buffer, binding: SecretBinding, blob: Buffer): Buffer {
  const bodyBytes = blob.length - SECRET_OVERHEAD_BYTES;
  if (bodyBytes <= 0 || bodyBytes > SECRET_MAX_BYTES) throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Sealed secret has a bad length');
  let plain: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dek, blob.subarray(HEADER_BYTES, PREFIX_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(secretAad(blob, binding));
    decipher.setAuthTag(blob.subarray(PREFIX_BYTES + bodyBytes));
    plain = decipher.update(blob.subarray(PREFIX_BYTES, PREFIX_BYTES + bodyBytes));
    decipher.final();
    return plain;
  } catch (cause) {
    // Unauthenticated bytes never reach the caller.
    plain?.fill(0);
    throw new CryptoError(CryptoErrorCode.DecryptFailed, 'Sealed secret failed authentication', { cause });
  }
}

function secretAad(header: Buffer, b: SecretBinding): Buffer {
  if (b.purpose.length === 0) throw new RangeError('a sealed secret needs a purpose');
  return encodeAad(header.subarray(0, HEADER_BYTES), [DOMAIN, b.tenantId, b.purpose]);
}
