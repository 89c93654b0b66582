import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { assertBlobKey, assertBlobPrefix } from './blob-key';
import { type BlobBody, type BlobStore } from './blob-store';
import { StorageError, StorageErrorCode } from './storage.error';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** moto / MinIO / a VPC endpoint; path-style addressing is used when set. */
  endpoint?: string;
  /** Omitted: the SDK's default chain (instance role, env, profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Optional key prefix inside the bucket (e.g. `facesearch/`), so one bucket can serve several installs. */
  keyPrefix?: string;
  /** Bytes per multipart part (≥ 5 MiB, S3's minimum); bodies up to this size go in one PutObject. */
  partBytes?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
const UNAVAILABLE = new Set(['TimeoutError', 'RequestTimeout', 'SlowDown', 'ServiceUnavailable', 'InternalError', 'ThrottlingException']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Blobs as S3 objects. Streams are uploaded without knowing their length: a body that fits in one part
 * goes up in one PutObject; a longer one as a multipart upload (parts of `partBytes`, at most one part
 * buffered), aborted if anything fails, so no partial object ever becomes visible. This uses
 * @aws-sdk/client-s3's multipart commands directly (@aws-sdk/lib-storage is not a dependency).
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly partBytes: number;

  constructor(options: S3BlobStoreOptions, client?: S3Client) {
    this.bucket = options.bucket;
    this.keyPrefix = options.keyPrefix ?? '';
    this.partBytes = Math.max(MIN_PART_BYTES, options.partBytes ?? DEFAULT_PART_BYTES);
    this.client =
      client ??
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.endpoint !== undefined,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts ?? 3,
        requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000, connectionTimeout: 3000 },
      });
  }

  async put(key: string, body: BlobBody): Promise<void> {
    assertBlobKey(key);
    const Key = this.keyPrefix + key;
    if (Buffer.isBuffer(body) && body.length <= this.partBytes) {
      await this.send(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body })), key, 'write');
      return;
    }
    const parts = readParts(Buffer.isBuffer(body) ? Readable.from([body]) : body, this.partBytes);
    const first = await parts.next();
    const firstPart = first.done ? Buffer.alloc(0) : first.value;
    const second = first.done ? undefined : await parts.next();
    if (second === undefined || second.done) {
      await this.send(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: firstPart })), key, 'write');
      return;
    }
    const created = await this.send(() => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key })), key, 'write');
    const UploadId = created.UploadId;
    if (!UploadId) throw new StorageError(StorageErrorCode.Failure, `could not write blob ${key} (no upload id)`);
    try {
      const done: { ETag: string; PartNumber: number }[] = [];
      const upload = async (part: Buffer): Promise<void> => {
        const PartNumber = done.length + 1;
        const res = await this.send(
          () => this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber, Body: part })),
          key,
          'write',
        );
        done.push({ ETag: res.ETag ?? '', PartNumber });
      };
      await upload(firstPart);
      await upload(second.value);
      for (let next = await parts.next(); !next.done; next = await parts.next()) await upload(next.value);
      await this.send(
        () => this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: done } })),
        key,
        'write',
      );
    } catch (err) {
      await parts.return(undefined).catch(() => undefined);
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      // S3 failures are already StorageErrors; anything else came from the body stream and stays as it is.
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    assertBlobKey(key);
    const res = await this.send(() => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key })), key, 'read');
    if (!(res.Body instanceof Readable)) throw new StorageError(StorageErrorCode.Failure, `could not read blob ${key} (no body stream)`);
    return res.Body;
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.send(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key })), key, 'delete');
  }

  async exists(key: string): Promise<boolean> {
    assertBlobKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key }));
      return true;
    } catch (err) {
      const mapped = mapS3Error(err, key, 'stat');
      if (mapped.code === StorageErrorCode.NotFound) return false;
      throw mapped;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertBlobPrefix(prefix);
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const res = await this.send(
        () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyPrefix + prefix, ContinuationToken })),
        prefix,
        'list',
      );
      for (const item of res.Contents ?? []) if (item.Key) keys.push(item.Key.slice(this.keyPrefix.length));
      ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys.sort();
  }

  private async send<T>(call: () => Promise<T>, key: string, action: string): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw mapS3Error(err, key, action);
    }
  }
}

/** Cuts a stream into Buffers of exactly `size` bytes (the last one shorter). */
async function* readParts(source: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let filled = 0;
  for await (const chunk of source) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    while (buf.length > 0) {
      const take = Math.min(size - filled, buf.length);
      pending.push(buf.subarray(0, take));
      filled += take;
      buf = buf.subarray(take);
      if (filled === size) {
        yield Buffer.concat(pending, filled);
        pending = [];
        filled = 0;
      }
    }
  }
  if (filled > 0) yield Buffer.concat(pending, filled);
}

/** SDK failures → StorageError; the SDK's message (bucket names, request ids) stays in `cause`. */
export function mapS3Error(err: unknown, key: string, action: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | null;
  const status = e?.$metadata?.httpStatusCode;
  if ((e?.name && NOT_FOUND.has(e.name)) || (status === 404 && action !== 'list' && action !== 'write')) {
    return new StorageError(StorageErrorCode.NotFound, `no blob ${key}`, { cause: err });
  }
  if ((e?.name && UNAVAILABLE.has(e.name)) || (e?.code && NETWORK.has(e.code)) || (status !== undefined && status >= 500) || status === undefined) {
    return new StorageError(StorageErrorCode.Unavailable, `blob storage is unavailable (${action} ${key})`, { cause: err });
  }
  return new StorageError(StorageErrorCode.Failure, `could not ${action} blob ${key}`, { cause: err });
}
