import { Logger, type LoggerService, type OnModuleDestroy } from '@nestjs/common';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { type AppConfig } from '@app/config';
import { Deadline } from './deadline';
import { type FetchOptions, type ImageSource, isUrlSource } from './image-source';
import { S3Fetcher } from './s3-fetcher';
import { isSourceError, SourceError, SourceErrorCode } from './source.error';
import { type HostResolver } from './ssrf-guard';
import { type RequestFunction, UrlFetcher } from './url-fetcher';

export interface SourceFetcherOptions {
  /** `images.maxBytes`: more than this, announced or streamed, is `too_large`. */
  readonly maxBytes: number;
  /** `sources.fetchTimeoutMs`: the whole fetch, redirects and body included. */
  readonly timeoutMs: number;
  readonly allowHttp: boolean;
  readonly privateAllowlist: readonly string[];
  readonly maxRedirects: number;
  /** S3 client settings, used to create the client on the first S3 fetch. */
  readonly s3?: S3ClientConfig;
  /** Buckets tenants may name in `s3` sources; default all the credentials can read. */
  readonly allowedBuckets?: readonly string[];
  /** Test seams: DNS resolution and the HTTP(S) request function. */
  readonly resolver?: HostResolver;
  readonly request?: RequestFunction;
  /** An S3 client owned by the caller (not destroyed by close()). */
  readonly s3Client?: S3Client;
  readonly logger?: LoggerService;
}

type FetcherConfig = Pick<AppConfig, 'images' | 'sources' | 'aws' | 'storage'>;

/** S3 client settings from config: the configured endpoint (moto, MinIO) needs path-style addressing. */
export function s3ClientConfig(config: Pick<AppConfig, 'aws' | 'storage'>): S3ClientConfig {
  const { region, accessKeyId, secretAccessKey } = config.aws;
  const endpoint = config.storage.s3Endpoint;
  return {
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  };
}

/**
 * Fetches the bytes of an image `source` (API.md): URLs under the SSRF rules, S3 objects with the
 * service's credentials. Every failure is a SourceError whose code is a job error code of API.md.
 * Logs carry host or bucket, status, bytes and duration, never paths, query strings, keys or bodies.
 */
export class SourceFetcher implements OnModuleDestroy {
  private readonly url: UrlFetcher;
  private readonly s3: S3Fetcher;
  private readonly logger: LoggerService;
  private client?: S3Client;

  constructor(private readonly options: SourceFetcherOptions) {
    this.url = new UrlFetcher(options);
    this.s3 = new S3Fetcher(() => this.s3Client(), options);
    this.logger = options.logger ?? new Logger('Sources');
  }

  static fromConfig(config: FetcherConfig, overrides: Partial<SourceFetcherOptions> = {}): SourceFetcher {
    return new SourceFetcher({
      maxBytes: config.images.maxBytes,
      timeoutMs: config.sources.fetchTimeoutMs,
      allowHttp: config.sources.allowHttp,
      privateAllowlist: config.sources.privateAllowlist,
      maxRedirects: config.sources.maxRedirects,
      s3: s3ClientConfig(config),
      ...overrides,
    });
  }

  /**
   * Checks what can be checked without network (URL syntax, scheme, credentials; S3 bucket and key,
   * bucket allow-list), so a gateway can answer 400 before queueing a job. Throws SourceError.
   */
  validate(source: ImageSource): void {
    assertShape(source);
    if (isUrlSource(source)) this.url.checkUrl(source.url);
    else this.s3.check(source.s3);
  }

  /** The image's bytes; rejects with SourceError, or with `signal.reason` when the caller aborts. */
  async fetch(source: ImageSource, options: FetchOptions = {}): Promise<Buffer> {
    assertShape(source);
    const started = performance.now();
    const deadline = new Deadline(this.options.timeoutMs, options.signal);
    const where = isUrlSource(source) ? { kind: 'url', host: safeHost(source.url) } : { kind: 's3', bucket: source.s3.bucket };
    try {
      if (isUrlSource(source)) {
        const r = await this.url.fetch(source.url, deadline.signal);
        this.logger.debug?.({
          msg: 'image source fetched',
          ...where,
          finalHost: r.finalHost,
          status: r.status,
          redirects: r.redirects,
          bytes: r.body.length,
          durationMs: ms(started),
        });
        return r.body;
      }
      const body = await this.s3.fetch(source.s3, deadline.signal);
      this.logger.debug?.({ msg: 'image source fetched', ...where, bytes: body.length, durationMs: ms(started) });
      return body;
    } catch (err) {
      const code = isSourceError(err) ? err.code : options.signal?.aborted ? 'aborted' : 'unexpected';
      // Refusals are what an SSRF attempt looks like: worth a warning the operator can see.
      const log = code === 'source_forbidden' ? this.logger.warn.bind(this.logger) : (this.logger.debug?.bind(this.logger) ?? (() => undefined));
      // `detail` is caller-safe by contract (no query strings, no resolved addresses).
      log({ msg: 'image source failed', ...where, code, detail: isSourceError(err) ? err.detail : undefined, durationMs: ms(started) });
      throw err;
    } finally {
      deadline.dispose();
    }
  }

  /**
   * POSTs a webhook body to a URL under the same SSRF rules as image URLs (same allow-list, same
   * address checks, pinned connection, no redirects). Returns the HTTP status.
   */
  async post(url: string, body: Buffer, headers: Record<string, string>, options: FetchOptions = {}): Promise<number> {
    const started = performance.now();
    const deadline = new Deadline(this.options.timeoutMs, options.signal);
    try {
      const status = await this.url.post(url, body, headers, deadline.signal);
      this.logger.debug?.({ msg: 'webhook posted', host: safeHost(url), status, durationMs: ms(started) });
      return status;
    } catch (err) {
      const code = isSourceError(err) ? err.code : 'unexpected';
      this.logger.warn({ msg: 'webhook failed', host: safeHost(url), code, durationMs: ms(started) });
      throw err;
    } finally {
      deadline.dispose();
    }
  }

  /** Destroys the S3 client this fetcher created (its sockets would otherwise keep the process alive). */
  close(): void {
    this.client?.destroy();
    this.client = undefined;
  }

  onModuleDestroy(): void {
    this.close();
  }

  private s3Client(): S3Client {
    if (this.options.s3Client) return this.options.s3Client;
    this.client ??= new S3Client(this.options.s3 ?? {});
    return this.client;
  }
}

/** Sources come from JSON bodies and job payloads: a wrong shape must be a SourceError, not a TypeError. */
function assertShape(source: ImageSource): void {
  const s = source as unknown as Record<string, unknown> | null;
  const isUrl = typeof s?.url === 'string';
  const isS3 = typeof s?.s3 === 'object' && s.s3 !== null;
  // Exactly one of the two, so a source is never read as something the caller did not mean.
  const ok = isUrl !== isS3 && !(isUrl && s?.s3 !== undefined) && !(isS3 && s?.url !== undefined);
  if (!ok) throw new SourceError(SourceErrorCode.Forbidden, 'a source is either {url} or {s3: {bucket, key, versionId?}}');
}

const ms = (started: number): number => Math.round(performance.now() - started);

/** Host only: paths and query strings may carry signed tokens or personal data. */
function safeHost(raw: string): string | undefined {
  try {
    return new URL(raw).host;
  } catch {
    return undefined;
  }
}
