import { randomUUID } from 'node:crypto';
import { createFacesearchError, FacesearchNetworkError, type FacesearchError } from './facesearch.error';
import type { MutationRequestOptions } from './request-options';
import { type BackoffOptions, isIdempotentMethod, parseRetryAfter, RETRYABLE_STATUSES, retryDelayMs } from './retry-policy';
import type { ProblemDetails } from './types';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * May this request be sent again after a failure?
 * - `safe`: repeating it changes nothing more (GET, DELETE, a PATCH that sets values).
 * - `keyed`: a POST that creates work; retried only with an `Idempotency-Key`, generated if absent.
 * - `unsafe`: not retried unless the caller sent an `Idempotency-Key` of their own.
 * - `refused`: retried only when the server answered that it did nothing (429, 503); not after a
 *   network failure or timeout, where the first attempt may have started work a repeat would start
 *   again (a DELETE that queues a purge and has no Idempotency-Key support).
 * - `none`: never retried (probes that want the answer of this moment).
 */
export type RetryMode = 'safe' | 'keyed' | 'unsafe' | 'refused' | 'none';

export type QueryValue = string | number | boolean | undefined | null;

export interface HttpRequest {
  method: HttpMethod;
  /** Starts with `/`; path parameters already encoded (use `encodePath`). */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON-serialised, or sent as is when FormData (multipart image uploads). */
  body?: unknown;
  /** Send the API key (default). Public routes (health) do not get it. */
  auth?: boolean;
  retry?: RetryMode;
  /** Non-2xx statuses whose JSON (not problem+json) body is an answer rather than an error. */
  acceptStatuses?: readonly number[];
  options?: MutationRequestOptions;
}

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  fetch: FetchLike;
  maxRetries: number;
  timeoutMs: number;
  userAgent: string;
  sleep: SleepFn;
  random: () => number;
  now: () => number;
  backoff?: BackoffOptions;
}

/** The server's rule for Idempotency-Key values (a UUID fits). */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,255}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Path segment from a caller-given id: never lets `../` or `?` change which route is called. */
export const encodePath = (segment: string): string => encodeURIComponent(segment);

export const defaultSleep: SleepFn = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

type Attempt = { ok: true; response: Response; text: string } | { ok: false; error: FacesearchNetworkError };

/**
 * Sends requests: auth and standard headers, a timeout per attempt, retries of 429/503 and network
 * failures where repeating is safe, and problem+json → typed errors. The API key lives only in a
 * private field and the Authorization header: it is never part of an error, message or log.
 */
export class HttpTransport {
  readonly #apiKey: string;
  readonly #config: Omit<TransportConfig, 'apiKey'>;

  constructor(config: TransportConfig) {
    const { apiKey, ...rest } = config;
    this.#apiKey = apiKey;
    this.#config = { ...rest, baseUrl: rest.baseUrl.replace(/\/+$/, '') };
  }

  /** The parsed JSON answer (undefined for an empty body), or a FacesearchError. */
  async request<T>(req: HttpRequest): Promise<T> {
    const { response, text } = await this.send(req);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new FacesearchNetworkError('invalid_response', `the ${response.status} answer is not JSON`, req.method, req.path, { cause: err });
    }
  }

  private async send(req: HttpRequest): Promise<{ response: Response; text: string }> {
    const opts = req.options ?? {};
    const mode = req.retry ?? (req.method === 'POST' ? 'keyed' : isIdempotentMethod(req.method) ? 'safe' : 'unsafe');
    const maxRetries = mode === 'none' ? 0 : Math.max(0, opts.maxRetries ?? this.#config.maxRetries);
    if (opts.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(opts.idempotencyKey)) {
      throw new TypeError('idempotencyKey must be 8..255 characters of A-Za-z0-9._:-');
    }
    if (opts.requestId !== undefined && !REQUEST_ID.test(opts.requestId)) {
      throw new TypeError('requestId must be 1..128 characters of A-Za-z0-9._:-');
    }
    // One key for all attempts of this call: that is what lets the server recognise a repeat.
    const idempotencyKey = opts.idempotencyKey ?? (mode === 'keyed' && maxRetries > 0 ? randomUUID() : undefined);
    const retryable = mode === 'safe' || idempotencyKey !== undefined;
    // 429 and 503 mean the server did nothing: a `refused` request may be repeated after those only.
    const statusRetryable = retryable || mode === 'refused';
    const url = this.url(req);
    const init = this.init(req, idempotencyKey);

    for (let attempt = 0; ; attempt++) {
      opts.signal?.throwIfAborted();
      const result = await this.attempt(url, init, req, opts.timeoutMs ?? this.#config.timeoutMs, opts.signal);
      const canRetry = retryable && attempt < maxRetries;
      if (!result.ok) {
        if (!canRetry) throw result.error;
        await this.#config.sleep(retryDelayMs(attempt, undefined, this.#config.random, this.#config.backoff) ?? 0, opts.signal);
        continue;
      }
      const { response, text } = result;
      if (response.ok || this.accepted(req, response)) return result;
      const error = this.toError(req, response, text, attempt + 1);
      if (statusRetryable && attempt < maxRetries && (RETRYABLE_STATUSES.has(response.status) || stillInProgress(error, attempt, idempotencyKey))) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#config.now());
        const delay = retryDelayMs(attempt, retryAfterMs, this.#config.random, this.#config.backoff);
        if (delay !== undefined) {
          await this.#config.sleep(delay, opts.signal);
          continue;
        }
      }
      throw error;
    }
  }

  /** One attempt, body read included (a server stalling mid-body also runs into the timeout). */
  private async attempt(url: string, init: RequestInit, req: HttpRequest, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#config.fetch(url, { ...init, signal: controller.signal });
      const text = await response.text();
      return { ok: true, response, text };
    } catch (err) {
      if (timedOut) return { ok: false, error: new FacesearchNetworkError('timeout', `no answer within ${timeoutMs} ms`, req.method, req.path, { cause: err }) };
      // The caller cancelled: theirs is the reason to surface, as fetch itself would.
      if (signal?.aborted) throw signal.reason;
      return { ok: false, error: new FacesearchNetworkError('network', describeNetworkError(err), req.method, req.path, { cause: err }) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private accepted(req: HttpRequest, response: Response): boolean {
    if (!req.acceptStatuses?.includes(response.status)) return false;
    const type = response.headers.get('content-type') ?? '';
    return /\bjson\b/i.test(type) && !/problem\+json/i.test(type);
  }

  private toError(req: HttpRequest, response: Response, text: string, attempts: number): FacesearchError {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#config.now());
    return createFacesearchError({
      status: response.status,
      problem: this.problemOf(response, text),
      requestId: response.headers.get('x-request-id') ?? undefined,
      retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
      method: req.method,
      path: req.path,
      attempts,
    });
  }

  /** Problem details from the body; a proxy's HTML or plain text still gives a readable error. */
  private problemOf(response: Response, text: string): ProblemDetails {
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const p: ProblemDetails =
      parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? { ...(parsed as ProblemDetails) }
        : { title: response.statusText || undefined, detail: /^text\/plain/i.test(response.headers.get('content-type') ?? '') ? text.trim().slice(0, 200) || undefined : undefined };
    // Defence in depth: should anything between us and the API echo the key, it still goes no further.
    if (typeof p.detail === 'string') p.detail = this.redact(p.detail);
    if (typeof p.title === 'string') p.title = this.redact(p.title);
    return p;
  }

  private redact(s: string): string {
    return this.#apiKey ? s.split(this.#apiKey).join('[redacted]') : s;
  }

  private url(req: HttpRequest): string {
    const url = new URL(this.#config.baseUrl + req.path);
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  private init(req: HttpRequest, idempotencyKey: string | undefined): RequestInit {
    const headers: Record<string, string> = {
      Accept: 'application/json, application/problem+json',
      'User-Agent': this.#config.userAgent,
    };
    if (req.auth !== false) headers.Authorization = `Bearer ${this.#apiKey}`;
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    if (req.options?.requestId !== undefined) headers['X-Request-Id'] = req.options.requestId;
    let body: RequestInit['body'];
    if (req.body instanceof FormData) {
      body = req.body; // fetch sets the multipart boundary itself
    } else if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    // The API never redirects. Not following one keeps the key and body from going anywhere but
    // baseUrl, and surfaces a misconfigured baseUrl (http → https) as a 3xx FacesearchError.
    return { method: req.method, headers, body, redirect: 'manual' };
  }
}

/**
 * A 409 `idempotency_conflict` on a retry: the server is still running our own earlier attempt
 * (the same key with the same request: the other meaning, a different request, cannot happen
 * between attempts of one call). Waiting and asking again gets its answer.
 */
function stillInProgress(error: FacesearchError, attempt: number, idempotencyKey: string | undefined): boolean {
  return attempt > 0 && idempotencyKey !== undefined && error.status === 409 && error.code === 'idempotency_conflict';
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in the cause. */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message.slice(0, 200) : undefined;
  const base = err instanceof Error ? err.message : 'request failed';
  return why ? `${base} (${why})` : base;
}
