import type { FieldError, ProblemDetails } from './types';

/**
 * What went wrong, independent of the status number, for `switch` statements. The names match the
 * server's own error kinds; `http` is any status the API does not document.
 */
export type FacesearchErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'
  | 'http';

export interface FacesearchErrorInit {
  status: number;
  problem: ProblemDetails;
  /** From the X-Request-Id response header when the body has none. */
  requestId?: string;
  retryAfterSeconds?: number;
  method: string;
  path: string;
  /** Attempts the call made, this answer's included (default 1). */
  attempts?: number;
}

/**
 * The API answered with an error (problem+json). Carries only what the server sent back and the
 * method and path: never request headers, so the API key cannot leak through logged errors.
 */
export class FacesearchError extends Error {
  readonly kind: FacesearchErrorKind = 'http';
  readonly status: number;
  /** Machine-readable code, e.g. `validation_failed`, `rate_limited`, `no_face`. */
  readonly code?: string;
  readonly type?: string;
  readonly title: string;
  readonly detail: string;
  /** Quote this when reporting a problem: the server logs details under it. */
  readonly errorId?: string;
  readonly requestId?: string;
  /** Which fields of a 400 were wrong, and why. Empty for other errors. */
  readonly fieldErrors: FieldError[];
  /** Seconds the server asked to wait (429 and 503). */
  readonly retryAfterSeconds?: number;
  readonly method: string;
  readonly path: string;
  /**
   * Attempts the call made before giving up, this one included (1: no retry). Above 1, an earlier
   * attempt may have taken effect without its answer arriving (a network failure or timeout): e.g. a
   * 404 from `deleteFace` then usually means that attempt deleted the face.
   */
  readonly attempts: number;

  constructor(init: FacesearchErrorInit) {
    const p = init.problem;
    const title = p.title ?? `HTTP ${init.status}`;
    const detail = p.detail ?? title;
    super(`${init.method} ${init.path} → ${init.status} ${title}: ${detail}${p.errorId ? ` (errorId ${p.errorId})` : ''}`);
    this.name = new.target.name;
    this.status = init.status;
    this.code = p.code;
    this.type = p.type;
    this.title = title;
    this.detail = detail;
    this.errorId = p.errorId;
    this.requestId = p.requestId ?? init.requestId;
    this.fieldErrors = Array.isArray(p.errors) ? p.errors : [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts ?? 1;
  }
}

export class FacesearchValidationError extends FacesearchError {
  override readonly kind = 'validation';
}
export class FacesearchAuthenticationError extends FacesearchError {
  override readonly kind = 'unauthenticated';
}
export class FacesearchPermissionError extends FacesearchError {
  override readonly kind = 'forbidden';
}
export class FacesearchNotFoundError extends FacesearchError {
  override readonly kind = 'not_found';
}
export class FacesearchConflictError extends FacesearchError {
  override readonly kind = 'conflict';
}
export class FacesearchTooLargeError extends FacesearchError {
  override readonly kind = 'too_large';
}
export class FacesearchUnsupportedMediaError extends FacesearchError {
  override readonly kind = 'unsupported';
}
export class FacesearchUnprocessableError extends FacesearchError {
  override readonly kind = 'unprocessable';
}
export class FacesearchRateLimitError extends FacesearchError {
  override readonly kind = 'rate_limited';
}
export class FacesearchUnavailableError extends FacesearchError {
  override readonly kind = 'unavailable';
}
export class FacesearchInternalError extends FacesearchError {
  override readonly kind = 'internal';
}

const BY_STATUS: Record<number, new (init: FacesearchErrorInit) => FacesearchError> = {
  400: FacesearchValidationError,
  401: FacesearchAuthenticationError,
  403: FacesearchPermissionError,
  404: FacesearchNotFoundError,
  409: FacesearchConflictError,
  413: FacesearchTooLargeError,
  415: FacesearchUnsupportedMediaError,
  422: FacesearchUnprocessableError,
  429: FacesearchRateLimitError,
  503: FacesearchUnavailableError,
};

/** The subclass for a status; unlisted 5xx are `internal`, anything else the plain base class. */
export function createFacesearchError(init: FacesearchErrorInit): FacesearchError {
  const Ctor = BY_STATUS[init.status] ?? (init.status >= 500 ? FacesearchInternalError : FacesearchError);
  return new Ctor(init);
}

export type FacesearchNetworkErrorReason = 'timeout' | 'network' | 'invalid_response';

/**
 * No usable answer: the connection failed, the attempt ran past `timeoutMs`, or the body was not
 * what the API sends. The request may or may not have reached the server.
 */
export class FacesearchNetworkError extends Error {
  constructor(
    readonly reason: FacesearchNetworkErrorReason,
    message: string,
    readonly method: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${path}: ${message}`, options);
    this.name = 'FacesearchNetworkError';
  }
}

/**
 * Thrown before anything is sent: an upload is larger than the API accepts (20 MB unless the
 * client's `maxImageBytes` or the image's `maxBytes` says otherwise). The server would answer 413
 * `too_large`; this saves uploading the bytes to learn it.
 */
export class FacesearchImageTooLargeError extends Error {
  readonly code = 'too_large';

  constructor(
    /** The limit applied. */
    readonly maxBytes: number,
    /** The image's size, when known before reading it all (a path, a buffer); a stream stops at the limit. */
    readonly size?: number,
    path?: string,
  ) {
    const what = path === undefined ? 'The image' : `The image ${JSON.stringify(path)}`;
    const size_ = size === undefined ? `more than ${formatBytes(maxBytes)}` : formatBytes(size);
    super(`${what} is ${size_}, over the limit of ${formatBytes(maxBytes)}. Downscale it, or pass maxBytes if your server accepts more.`);
    this.name = 'FacesearchImageTooLargeError';
  }
}

/** `waitForJob`/`waitForDeletion` ran out of time; `last` is what the server said on the last poll. */
export class FacesearchWaitTimeoutError<T = unknown> extends Error {
  constructor(
    readonly id: string,
    readonly timeoutMs: number,
    readonly last: T,
    what: string,
  ) {
    super(`${what} ${id} did not finish within ${timeoutMs} ms (last status: ${String((last as { status?: unknown } | undefined)?.status)})`);
    this.name = 'FacesearchWaitTimeoutError';
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB (${n} bytes)` : `${n} bytes`;
}
