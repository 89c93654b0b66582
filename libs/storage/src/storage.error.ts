import { AppError, ErrorKind } from '@app/contracts';

export enum StorageErrorCode {
  /** No blob under this key. */
  NotFound = 'blob_not_found',
  /** The key is empty, absolute, has `..` or characters outside A-Za-z0-9._/-. A programming error. */
  InvalidKey = 'invalid_blob_key',
  /** The store (disk, S3) could not be reached or refused the request: retry later. */
  Unavailable = 'storage_unavailable',
  /** Anything else the store reported (full disk, permissions, a bad bucket name). */
  Failure = 'storage_failure',
}

const KIND_BY_CODE: Record<StorageErrorCode, ErrorKind> = {
  [StorageErrorCode.NotFound]: ErrorKind.NotFound,
  [StorageErrorCode.InvalidKey]: ErrorKind.Internal,
  [StorageErrorCode.Unavailable]: ErrorKind.Unavailable,
  [StorageErrorCode.Failure]: ErrorKind.Internal,
};

/** The one error type of the storage lib. `detail` names the key, never the bucket, path or credentials. */
export class StorageError extends AppError<StorageErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: StorageErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, detail, { cause: options?.cause, retryAfterSeconds: code === StorageErrorCode.Unavailable ? 5 : undefined });
    this.kind = KIND_BY_CODE[code];
  }
}

export const isStorageError = (err: unknown, code?: StorageErrorCode): err is StorageError =>
  err instanceof StorageError && (code === undefined || err.code === code);
