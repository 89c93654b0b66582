import { SourceError, SourceErrorCode } from './source.error';

/**
 * One signal for a whole fetch (DNS, connect, redirects, body): it aborts with a `timeout`
 * SourceError when the time limit passes, or with the caller's reason when the caller aborts.
 * Every step listens to it, and every catch turns "aborted" into `signal.reason`.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly unlinkOuter: () => void = () => undefined;

  constructor(timeoutMs: number, outer?: AbortSignal) {
    this.timer = setTimeout(
      () => this.controller.abort(new SourceError(SourceErrorCode.Timeout, `fetching the image took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    if (outer?.aborted) this.controller.abort(outer.reason);
    else if (outer) {
      const onAbort = () => this.controller.abort(outer.reason);
      outer.addEventListener('abort', onAbort, { once: true });
      this.unlinkOuter = () => outer.removeEventListener('abort', onAbort);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.unlinkOuter();
  }
}

/** Rejects with the signal's reason as soon as it aborts, for work that cannot itself be cancelled. */
export async function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** An abort listener removed again by the returned function (so long-lived signals do not pile up listeners). */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
