import { AppError, ErrorKind } from '@app/contracts';

export enum IndexServiceErrorCode {
  /** A malformed request: bad tenant id, face id, k or body shape. */
  InvalidRequest = 'invalid_request',
  /** A vector of the wrong length, non-finite or zero (the client lib uses the same code). */
  InvalidVector = 'invalid_vector',
  /** The tenant is being loaded (snapshot or database) and this request did not wait for it to finish. */
  TenantLoading = 'tenant_loading',
  /** A worker thread died, or the service is shutting down. */
  Unavailable = 'index_unavailable',
  /** Anything else (a bug, a corrupt snapshot that could not be replaced by a rebuild). */
  Failure = 'index_failure',
}

const KIND_BY_CODE: Record<IndexServiceErrorCode, ErrorKind> = {
  [IndexServiceErrorCode.InvalidRequest]: ErrorKind.Validation,
  [IndexServiceErrorCode.InvalidVector]: ErrorKind.Validation,
  [IndexServiceErrorCode.TenantLoading]: ErrorKind.Unavailable,
  [IndexServiceErrorCode.Unavailable]: ErrorKind.Unavailable,
  [IndexServiceErrorCode.Failure]: ErrorKind.Internal,
};

const RETRY_AFTER_SECONDS: Partial<Record<IndexServiceErrorCode, number>> = {
  [IndexServiceErrorCode.TenantLoading]: 2,
  [IndexServiceErrorCode.Unavailable]: 5,
};

/** The one error type of the vector-index service. `detail` never carries vectors. */
export class IndexServiceError extends AppError<IndexServiceErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: IndexServiceErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, detail, { cause: options?.cause, retryAfterSeconds: RETRY_AFTER_SECONDS[code] });
    this.kind = KIND_BY_CODE[code];
  }
}
