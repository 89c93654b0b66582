/** Per-call options every client method accepts as its last argument. */
export interface RequestOptions {
  /** Cancels the call, including any wait between retries; the call rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for each attempt of this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call (0 = a single attempt). */
  maxRetries?: number;
  /** Sent as `X-Request-Id` (`A-Za-z0-9._:-`, ≤128), to find this call in the server's logs and audit events. */
  requestId?: string;
}

/** Options of POSTs that create work: the server deduplicates requests carrying the same key. */
export interface MutationRequestOptions extends RequestOptions {
  /**
   * `Idempotency-Key` for this call (8..255 characters of `A-Za-z0-9._:-`, the server's rule). When
   * omitted and retries are enabled, the SDK generates one (a UUID) and sends the same one on every
   * attempt, so a retried create cannot create twice: the server answers a repeat with the first
   * response (kept 24 h). Pass your own to make retries across process restarts safe too.
   */
  idempotencyKey?: string;
}

/** Options of `waitForJob` and `waitForDeletion`, which poll until the work has ended. */
export interface WaitOptions {
  /** Gives up after this long, in all (not per request), with `FacesearchWaitTimeoutError`. Default 600000 (10 min). */
  timeoutMs?: number;
  /** Pause between polls. Default 1000. */
  intervalMs?: number;
  /** Cancels the wait (and the poll in flight); it rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Sent as `X-Request-Id` with every poll. */
  requestId?: string;
}
