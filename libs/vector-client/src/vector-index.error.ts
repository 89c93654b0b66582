import { AppError, ErrorKind } from '@app/contracts';

export enum VectorIndexErrorCode {
  /** The tenant's replica is down, timed out, or is still loading the tenant: retry later (503). */
  Unavailable = 'vector_index_unavailable',
  /** The vector has the wrong length, a non-finite value or zero norm, or k/minSimilarity is out of range. */
  InvalidVector = 'invalid_vector',
  /** The replica refused the request as malformed: a bug on this side, not the caller's. */
  Rejected = 'vector_index_rejected',
  /** The replica failed (500) or answered something unreadable. */
  Failure = 'vector_index_failure',
}

const KIND_BY_CODE: Record<VectorIndexErrorCode, ErrorKind> = {
  [VectorIndexErrorCode.Unavailable]: ErrorKind.Unavailable,
  [VectorIndexErrorCode.InvalidVector]: ErrorKind.Validation,
  [VectorIndexErrorCode.Rejected]: ErrorKind.Internal,
  [VectorIndexErrorCode.Failure]: ErrorKind.Internal,
};

const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The one error type of the vector client. `detail` names the replica's role, never vectors. */
export class VectorIndexError extends AppError<VectorIndexErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: VectorIndexErrorCode, detail: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(code, detail, {
      cause: options?.cause,
      retryAfterSeconds: code === VectorIndexErrorCode.Unavailable ? (options?.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) : undefined,
    });
    this.kind = KIND_BY_CODE[code];
  }
}

export const isVectorIndexError = (err: unknown, code?: VectorIndexErrorCode): err is VectorIndexError =>
  err instanceof VectorIndexError && (code === undefined || err.code === code);
