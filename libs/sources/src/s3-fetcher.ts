import { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readLimited, tooLarge } from './byte-limit';
import { type S3ObjectRef } from './image-source';
import { SourceError, SourceErrorCode } from './source.error';

export interface S3FetcherOptions {
  readonly maxBytes: number;
  /** Buckets tenants may read images from; undefined = every bucket the credentials can read. */
  readonly allowedBuckets?: readonly string[];
}

const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchVersion', 'NoSuchBucket', 'NotFound']);
const FORBIDDEN = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled', 'InvalidAccessKeyId', 'SignatureDoesNotMatch']);
// Legacy bucket names (us-east-1) allow upper case and underscores; anything else never names a bucket.
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/**
 * Maps an SDK failure to SourceError. The SDK error stays as `cause` for logs; its message (which
 * may name the bucket's account or endpoint) never reaches `detail`.
 */
export function mapS3Error(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  const status = e?.$metadata?.httpStatusCode;
  if (NOT_FOUND.has(name) || status === 404) return new SourceError(SourceErrorCode.NotFound, 'the S3 object does not exist', { cause: err });
  if (FORBIDDEN.has(name) || status === 403) {
    return new SourceError(SourceErrorCode.Forbidden, 'the S3 object may not be read with the service\'s credentials', { cause: err });
  }
  return new SourceError(SourceErrorCode.Unreachable, 'the S3 object could not be read', { cause: err });
}

/** Reads one S3 object (GetObject), streaming it under the same byte limit as URL sources. */
export class S3Fetcher {
  private readonly allowedBuckets?: ReadonlySet<string>;

  constructor(
    private readonly client: () => S3Client,
    private readonly options: S3FetcherOptions,
  ) {
    this.allowedBuckets = options.allowedBuckets ? new Set(options.allowedBuckets) : undefined;
  }

  /** Checks that need no network: bucket name, key, bucket allow-list. */
  check(ref: S3ObjectRef): void {
    if (typeof ref.bucket !== 'string' || !BUCKET_NAME.test(ref.bucket)) throw new SourceError(SourceErrorCode.Forbidden, 'the S3 bucket name is not valid');
    if (typeof ref.key !== 'string' || ref.key === '' || Buffer.byteLength(ref.key) > MAX_KEY_BYTES) {
      throw new SourceError(SourceErrorCode.Forbidden, 'the S3 key must be 1 to 1024 bytes');
    }
    if (ref.versionId !== undefined && (typeof ref.versionId !== 'string' || ref.versionId === '' || ref.versionId.length > 1024)) {
      throw new SourceError(SourceErrorCode.Forbidden, 'the S3 version id is not valid');
    }
    if (this.allowedBuckets && !this.allowedBuckets.has(ref.bucket)) {
      throw new SourceError(SourceErrorCode.Forbidden, 'images may not be read from this S3 bucket');
    }
  }

  async fetch(ref: S3ObjectRef, signal: AbortSignal): Promise<Buffer> {
    this.check(ref);
    const command = new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId });
    let out;
    try {
      out = await this.client().send(command, { abortSignal: signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw mapS3Error(err);
    }
    const body = out.Body;
    if (!(body instanceof Readable)) {
      throw new SourceError(SourceErrorCode.Unreachable, 'the S3 object could not be read', { cause: new Error('GetObject returned no stream') });
    }
    if (out.ContentLength !== undefined && out.ContentLength > this.options.maxBytes) {
      body.destroy();
      throw tooLarge(this.options.maxBytes);
    }
    return readLimited(body, this.options.maxBytes, signal);
  }
}
