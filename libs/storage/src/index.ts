export { type BlobStore, type BlobBody, BLOB_STORE } from './blob-store';
export { StorageError, StorageErrorCode, isStorageError } from './storage.error';
export { LocalBlobStore } from './local-blob-store';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';
export { createBlobStore } from './create-blob-store';
export { StorageModule } from './storage.module';
