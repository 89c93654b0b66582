import { AppError, ErrorKind } from '@app/contracts';

export enum GatewayErrorCode {
  Validation = 'validation_failed',
  MalformedJson = 'malformed_json',
  BodyTooLarge = 'body_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  RouteNotFound = 'route_not_found',
  RateLimited = 'rate_limited',
  RateLimiterUnavailable = 'rate_limiter_unavailable',
  IdempotencyConflict = 'idempotency_conflict',
}

const KIND: Record<GatewayErrorCode, ErrorKind> = {
  [GatewayErrorCode.Validation]: ErrorKind.Validation,
  [GatewayErrorCode.MalformedJson]: ErrorKind.Validation,
  [GatewayErrorCode.BodyTooLarge]: ErrorKind.TooLarge,
  [GatewayErrorCode.UnsupportedMediaType]: ErrorKind.Unsupported,
  [GatewayErrorCode.RouteNotFound]: ErrorKind.NotFound,
  [GatewayErrorCode.RateLimited]: ErrorKind.RateLimited,
  [GatewayErrorCode.RateLimiterUnavailable]: ErrorKind.Unavailable,
  [GatewayErrorCode.IdempotencyConflict]: ErrorKind.Conflict,
};

export interface FieldError {
  field: string;
  messages: string[];
}

/** HTTP-level failures of the gateway itself (validation, body parsing, rate limits). */
export class GatewayError extends AppError<GatewayErrorCode> {
  readonly kind: ErrorKind;

  constructor(
    code: GatewayErrorCode,
    detail: string,
    readonly fieldErrors?: FieldError[],
    retryAfterSeconds?: number,
  ) {
    super(code, detail, { retryAfterSeconds });
    this.kind = KIND[code];
  }
}
