import { type AppConfig } from '@app/config';
import { type BlobStore } from './blob-store';
import { LocalBlobStore } from './local-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { StorageError, StorageErrorCode } from './storage.error';

/** The BlobStore config.storage names: files under localDir, or the S3 bucket. */
export function createBlobStore(config: AppConfig): BlobStore {
  const { storage, aws } = config;
  switch (storage.driver) {
    case 'local':
      return new LocalBlobStore(storage.localDir);
    case 's3': {
      if (!storage.s3Bucket) throw new StorageError(StorageErrorCode.Failure, 'S3 blob storage needs a bucket');
      const credentials =
        aws.accessKeyId && aws.secretAccessKey ? { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey } : undefined;
      return new S3BlobStore({ bucket: storage.s3Bucket, region: aws.region, endpoint: storage.s3Endpoint, credentials });
    }
  }
}
