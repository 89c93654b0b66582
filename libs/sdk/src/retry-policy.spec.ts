import { isIdempotentMethod, parseRetryAfter, retryDelayMs } from './retry-policy';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read, so the caller uses its own backoff', () => {
    for (const v of [undefined, null, '', '-1', '1.5', 'soon', 'Tue, 99 Foo 2026']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('honours the server hint, adding at most 10% jitter and never less', () => {
    expect(retryDelayMs(0, 2000, () => 0)).toBe(2000);
    expect(retryDelayMs(5, 2000, () => 0.5)).toBe(2100);
    expect(retryDelayMs(5, 2000, () => 0.999)).toBeLessThanOrEqual(2200);
  });

  it('gives up when the server asks for longer than maxRetryAfterMs', () => {
    expect(retryDelayMs(0, 61_000, () => 0)).toBeUndefined();
    expect(retryDelayMs(0, 5000, () => 0, { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 4000 })).toBeUndefined();
  });

  it('backs off exponentially with equal jitter, capped', () => {
    const opts = { baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => retryDelayMs(a, undefined, () => 0, opts))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect([0, 1, 2, 3, 4, 10].map((a) => retryDelayMs(a, undefined, () => 1, opts))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});

describe('isIdempotentMethod', () => {
  it('knows which methods may be repeated', () => {
    expect(['GET', 'delete', 'PUT', 'HEAD'].every(isIdempotentMethod)).toBe(true);
    expect(['POST', 'PATCH'].some(isIdempotentMethod)).toBe(false);
  });
});
