import { AppError, ErrorKind } from '@app/contracts';

/** Exactly the source-related job error codes of API.md ("Image input and job errors"). */
export enum SourceErrorCode {
  /** Refused by the SSRF rules (scheme, credentials, address range, redirect) or the bucket allow-list. */
  Forbidden = 'source_forbidden',
  /** Network failure, TLS failure, DNS failure, or an HTTP/S3 error other than "not found". */
  Unreachable = 'source_unreachable',
  /** HTTP 404/410, or an S3 object, version or bucket that does not exist. */
  NotFound = 'source_not_found',
  /** The whole fetch (DNS, connect, redirects, body) took longer than the configured limit. */
  Timeout = 'timeout',
  /** More bytes than `images.maxBytes`, announced or streamed. */
  TooLarge = 'too_large',
}

/*
 * A refused URL is the caller's input being rejected, so it is a validation failure (400 when the
 * gateway fetches synchronously), not a 403: the caller's credentials are fine, the URL is not.
 */
const KIND_BY_CODE: Record<SourceErrorCode, ErrorKind> = {
  [SourceErrorCode.Forbidden]: ErrorKind.Validation,
  [SourceErrorCode.Unreachable]: ErrorKind.Unavailable,
  [SourceErrorCode.NotFound]: ErrorKind.NotFound,
  [SourceErrorCode.Timeout]: ErrorKind.Unavailable,
  [SourceErrorCode.TooLarge]: ErrorKind.TooLarge,
};

/**
 * The one error type of the sources lib. `detail` is shown to the caller: it never carries resolved
 * addresses (they would reveal the operator's internal DNS), query strings, bodies or SDK messages.
 */
export class SourceError extends AppError<SourceErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: SourceErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, detail, { cause: options?.cause });
    this.kind = KIND_BY_CODE[code];
  }
}

export const isSourceError = (err: unknown, code?: SourceErrorCode): err is SourceError =>
  err instanceof SourceError && (code === undefined || err.code === code);
