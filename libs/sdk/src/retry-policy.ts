/** When and how long to wait before another attempt. Pure functions, so they test without timers. */

/** Statuses worth another attempt: the server said "not now", not "no". */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export interface BackoffOptions {
  /** First backoff step; doubles per attempt. */
  baseDelayMs: number;
  /** No computed backoff exceeds this. */
  maxDelayMs: number;
  /** A server asking for a longer wait than this is not retried: the error goes to the caller. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when
 * absent or unparseable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only a date-looking value: Date.parse accepts bare numbers like "-1" or "1.5" as years.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Delay before retry number `attempt` (0 = first retry). With a server hint: that hint plus up to
 * 10% jitter (never sooner than asked, and clients told the same second do not return in step).
 * Without: capped exponential backoff with "equal jitter" (half fixed, half random).
 * Undefined means "do not retry": the server asked for longer than we are willing to wait.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, random: () => number, opts: BackoffOptions = DEFAULT_BACKOFF): number | undefined {
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > opts.maxRetryAfterMs) return undefined;
    return Math.round(retryAfterMs + retryAfterMs * 0.1 * random());
  }
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Methods whose repetition has the same effect as one request (RFC 9110 §9.2.2). */
export function isIdempotentMethod(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(method.toUpperCase());
}
