import { StorageError, StorageErrorCode } from './storage.error';

const KEY_RE = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
const PREFIX_RE = /^(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

const badSegment = (value: string): boolean => value.split('/').some((s) => s === '.' || s === '..');

/** Throws `invalid_blob_key` unless key is a safe relative key (see BlobStore). */
export function assertBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_RE.test(key) || badSegment(key)) {
    throw new StorageError(StorageErrorCode.InvalidKey, 'invalid blob key');
  }
}

/** A list() prefix: a key's beginning (possibly empty, possibly ending in `/`). */
export function assertBlobPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || prefix.length > MAX_KEY_LENGTH || !PREFIX_RE.test(prefix) || badSegment(prefix.replace(/\/$/, ''))) {
    throw new StorageError(StorageErrorCode.InvalidKey, 'invalid blob key prefix');
  }
}
