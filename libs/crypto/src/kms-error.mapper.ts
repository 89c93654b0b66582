import { CryptoError, CryptoErrorCode } from './crypto.error';

const DECRYPT_FAILED = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
const KEY_GONE = new Set(['KMSInvalidStateException', 'NotFoundException']);

/**
 * Maps an SDK failure to CryptoError. Anything that is not a definite "wrong ciphertext" or "key gone"
 * (network, timeout, throttling, 5xx, disabled key, revoked access) is kms_unavailable: fail closed,
 * retry later. The SDK error stays as `cause` for logs; its message never reaches `detail`.
 */
export function mapKmsError(err: unknown, action: string): CryptoError {
  if (err instanceof CryptoError) return err;
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && DECRYPT_FAILED.has(name)) {
    return new CryptoError(CryptoErrorCode.DecryptFailed, `KMS refused to ${action}: wrong key or encryption context`, { cause: err });
  }
  if (typeof name === 'string' && KEY_GONE.has(name)) {
    return new CryptoError(CryptoErrorCode.KeyDestroyed, `KMS key is pending deletion or gone (${action})`, { cause: err });
  }
  return new CryptoError(CryptoErrorCode.KmsUnavailable, `KMS is unavailable (${action})`, { cause: err });
}
