import { randomBytes, randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AppConfig, ConfigModule } from '@app/config';
import { captureLogs, testConfig } from '@app/testing';
import { SourceErrorCode } from './source.error';
import { s3ClientConfig, SourceFetcher } from './source-fetcher';
import { SourcesModule } from './sources.module';
import { loopbackOnly, sourceError } from './spec-helpers';

// Real SDK calls to moto's S3 (server mode) on 127.0.0.1, with the client settings the product uses.
let config: AppConfig;
let admin: S3Client;
let fetcher: SourceFetcher;
let guard: ReturnType<typeof loopbackOnly>;
const bucket = `facesearch-sources-${randomUUID().slice(0, 8)}`;
const image = randomBytes(64 * 1024);
const MAX = 256 * 1024;

beforeAll(async () => {
  config = testConfig();
  const endpoint = config.storage.s3Endpoint;
  if (!endpoint || new URL(endpoint).hostname !== '127.0.0.1') throw new Error(`the S3 endpoint must be moto on 127.0.0.1, got ${endpoint}`);
  guard = loopbackOnly();
  admin = new S3Client(s3ClientConfig(config));
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'people/a.jpg', Body: image }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.jpg', Body: Buffer.alloc(MAX + 1, 1) }));
  fetcher = SourceFetcher.fromConfig(config, { maxBytes: MAX, logger: captureLogs().logger });
});

afterAll(() => {
  fetcher?.close();
  admin?.destroy();
  guard?.restore();
});

describe('S3 sources against moto', () => {
  it('fetches an object', async () => {
    const body = await fetcher.fetch({ s3: { bucket, key: 'people/a.jpg' } });
    expect(body.equals(image)).toBe(true);
  });

  it('fetches a given version of an object', async () => {
    const versioned = `${bucket}-v`;
    await admin.send(new CreateBucketCommand({ Bucket: versioned }));
    await admin.send(new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await admin.send(new PutObjectCommand({ Bucket: versioned, Key: 'a.jpg', Body: Buffer.from('first') }));
    await admin.send(new PutObjectCommand({ Bucket: versioned, Key: 'a.jpg', Body: Buffer.from('second') }));
    expect((await fetcher.fetch({ s3: { bucket: versioned, key: 'a.jpg', versionId: v1.VersionId } })).toString()).toBe('first');
    expect((await fetcher.fetch({ s3: { bucket: versioned, key: 'a.jpg' } })).toString()).toBe('second');
  });

  it('a missing key or bucket is source_not_found', async () => {
    const missingKey = await sourceError(fetcher.fetch({ s3: { bucket, key: 'people/nobody.jpg' } }));
    expect(missingKey).toMatchObject({ code: SourceErrorCode.NotFound, kind: 'not_found' });
    const missingBucket = await sourceError(fetcher.fetch({ s3: { bucket: `${bucket}-absent`, key: 'a.jpg' } }));
    expect(missingBucket.code).toBe(SourceErrorCode.NotFound);
    expect(missingBucket.detail).not.toContain(bucket);
  });

  it('an object over the limit is too_large', async () => {
    expect((await sourceError(fetcher.fetch({ s3: { bucket, key: 'big.jpg' } }))).code).toBe(SourceErrorCode.TooLarge);
  });

  it('refuses buckets outside allowedBuckets and invalid names without calling S3', async () => {
    const restricted = SourceFetcher.fromConfig(config, { allowedBuckets: ['tenant-images'], logger: captureLogs().logger });
    const send = jest.spyOn(S3Client.prototype, 'send');
    try {
      expect((await sourceError(restricted.fetch({ s3: { bucket, key: 'people/a.jpg' } }))).code).toBe(SourceErrorCode.Forbidden);
      expect((await sourceError(fetcher.fetch({ s3: { bucket: '../etc', key: 'a.jpg' } }))).code).toBe(SourceErrorCode.Forbidden);
      expect((await sourceError(fetcher.fetch({ s3: { bucket, key: '' } }))).code).toBe(SourceErrorCode.Forbidden);
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
      restricted.close();
    }
  });

  it('SourcesModule provides a SourceFetcher built from APP_CONFIG', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), SourcesModule.forRoot()] }).compile();
    await moduleRef.init();
    const provided = moduleRef.get(SourceFetcher);
    expect((await provided.fetch({ s3: { bucket, key: 'people/a.jpg' } })).equals(image)).toBe(true);
    await moduleRef.close();
  });
});
