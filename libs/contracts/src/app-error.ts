/**
 * What kind of failure an error is, independent of transport. The gateway's one exception
 * filter maps each kind to an HTTP status; workers map them to job outcomes.
 */
export enum ErrorKind {
  Validation = 'validation',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  TooLarge = 'too_large',
  Unsupported = 'unsupported',
  Unprocessable = 'unprocessable',
  RateLimited = 'rate_limited',
  Unavailable = 'unavailable',
  Internal = 'internal',
}

/** The HTTP status of each kind, for every app that answers over HTTP (one table, one meaning). */
export const HTTP_STATUS_OF_KIND: { readonly [K in ErrorKind]: number } = {
  [ErrorKind.Validation]: 400,
  [ErrorKind.Unauthenticated]: 401,
  [ErrorKind.Forbidden]: 403,
  [ErrorKind.NotFound]: 404,
  [ErrorKind.Conflict]: 409,
  [ErrorKind.TooLarge]: 413,
  [ErrorKind.Unsupported]: 415,
  [ErrorKind.Unprocessable]: 422,
  [ErrorKind.RateLimited]: 429,
  [ErrorKind.Unavailable]: 503,
  [ErrorKind.Internal]: 500,
};

/**
 * Each lib defines one subclass with its own code enum (AuthError, PersistenceError, ...).
 * `detail` must be safe to show to the caller: it never carries secrets or internals.
 */
export abstract class AppError<C extends string = string> extends Error {
  abstract readonly kind: ErrorKind;

  protected constructor(
    readonly code: C,
    readonly detail: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  readonly retryAfterSeconds?: number;
}
