import { type Readable } from 'node:stream';

/** What put() accepts: a whole Buffer, or a stream of Buffers (read to its end). */
export type BlobBody = Buffer | Readable;

/**
 * Opaque bytes under `/`-separated keys (`uploads/<tenant>/<id>`, `snapshots/<tenant>/<id>`). Callers
 * encrypt before they put: the store adds no confidentiality of its own beyond file modes / bucket policy.
 * Keys: 1-512 characters of A-Za-z0-9._/-, no leading `/`, no empty, `.` or `..` segment.
 */
export interface BlobStore {
  /** Stores the whole body under key, replacing any blob there. Readers never see a partial blob. */
  put(key: string, body: BlobBody): Promise<void>;
  /** A stream of the blob's bytes. Rejects with StorageError `blob_not_found` when there is none. */
  get(key: string): Promise<Readable>;
  /** Removes the blob; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** Keys that start with prefix, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
  exists(key: string): Promise<boolean>;
}

/** Injection token of the configured BlobStore (StorageModule). */
export const BLOB_STORE = Symbol('BLOB_STORE');
