import { AppError, ErrorKind } from '@app/contracts';

export enum CryptoErrorCode {
  /** Authentication failed: tampered blob, or a blob/key presented for another tenant, face, model or snapshot. */
  DecryptFailed = 'decrypt_failed',
  /** The blob names a DEK version this tenant never had. */
  UnknownKeyVersion = 'unknown_key_version',
  /** The DEK version (or the whole tenant) was destroyed, or its KMS key is pending deletion / gone. */
  KeyDestroyed = 'key_destroyed',
  /** KMS unreachable, throttling, or refusing the key (disabled, access revoked): fail closed, retry later. */
  KmsUnavailable = 'kms_unavailable',
  /** No DEK was ever created for the tenant: provisionTenant() was not called at tenant creation. */
  KeyNotProvisioned = 'key_not_provisioned',
  /** The current DEK version cannot be destroyed; rotate first. */
  KeyVersionInUse = 'key_version_in_use',
  /** A tenant-owned KMS key was requested but the configured provider is `local`. */
  ByokUnsupported = 'byok_unsupported',
}

/*
 * Integrity failures (decrypt_failed, unknown_key_version, key_destroyed) are Internal (HTTP 500): the
 * stored bytes are ours and the caller cannot fix them, so they must page an operator rather than look
 * like a client mistake, and the response never hints at other tenants' data.
 */
const KIND_BY_CODE: Record<CryptoErrorCode, ErrorKind> = {
  [CryptoErrorCode.DecryptFailed]: ErrorKind.Internal,
  [CryptoErrorCode.UnknownKeyVersion]: ErrorKind.Internal,
  [CryptoErrorCode.KeyDestroyed]: ErrorKind.Internal,
  [CryptoErrorCode.KmsUnavailable]: ErrorKind.Unavailable,
  [CryptoErrorCode.KeyNotProvisioned]: ErrorKind.Internal,
  [CryptoErrorCode.KeyVersionInUse]: ErrorKind.Conflict,
  [CryptoErrorCode.ByokUnsupported]: ErrorKind.Validation,
};

const KMS_RETRY_AFTER_SECONDS = 5;

/** The one error type of the crypto lib. `detail` never carries key material, plaintext or KMS key ids. */
export class CryptoError extends AppError<CryptoErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: CryptoErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, detail, {
      cause: options?.cause,
      retryAfterSeconds: code === CryptoErrorCode.KmsUnavailable ? KMS_RETRY_AFTER_SECONDS : undefined,
    });
    this.kind = KIND_BY_CODE[code];
  }
}

export const isCryptoError = (err: unknown, code?: CryptoErrorCode): err is CryptoError =>
  err instanceof CryptoError && (code === undefined || err.code === code);
