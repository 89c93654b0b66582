import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { motoUrl } from '@app/testing';
import { S3BlobStore } from './s3-blob-store';
import { blobStoreContract, chunked, readAll } from './spec-helpers';
import { isStorageError, StorageErrorCode } from './storage.error';

describe('S3BlobStore (moto)', () => {
  const bucket = `blobs-${randomBytes(4).toString('hex')}`;
  const options = { bucket, region: 'us-east-1', endpoint: motoUrl(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const store = new S3BlobStore({ ...options, keyPrefix: 'install-a/', partBytes: 5 * 1024 * 1024 });

  beforeAll(async () => {
    const client = new S3Client({ region: options.region, endpoint: options.endpoint, forcePathStyle: true, credentials: options.credentials });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
  });

  blobStoreContract(() => store, () => 's3/');

  it('uploads a stream longer than one part as a multipart upload', async () => {
    const bytes = randomBytes(11 * 1024 * 1024 + 123);
    await store.put('big/blob', chunked(bytes, 1024 * 1024 + 7));
    expect((await readAll(await store.get('big/blob'))).equals(bytes)).toBe(true);
  });

  it('keeps installs apart by key prefix', async () => {
    const other = new S3BlobStore({ ...options, keyPrefix: 'install-b/' });
    await store.put('shared/key', Buffer.from('a'));
    expect(await other.exists('shared/key')).toBe(false);
    expect(await other.list('')).toEqual([]);
  });

  it('a missing bucket is a failure, an unreachable endpoint is storage_unavailable', async () => {
    const noBucket = new S3BlobStore({ ...options, bucket: `missing-${randomBytes(4).toString('hex')}` });
    const err1 = await noBucket.put('k', Buffer.from('x')).then(() => undefined, (e: unknown) => e);
    expect(isStorageError(err1)).toBe(true);
    const down = new S3BlobStore({ ...options, endpoint: 'http://127.0.0.1:9', maxAttempts: 1, requestTimeoutMs: 500 });
    const err2 = await down.get('k').then(() => undefined, (e: unknown) => e);
    expect(isStorageError(err2, StorageErrorCode.Unavailable)).toBe(true);
  });
});
