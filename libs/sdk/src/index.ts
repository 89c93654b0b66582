export { FacesearchClient, type FacesearchClientOptions } from './facesearch.client';
export {
  createFacesearchError,
  FacesearchAuthenticationError,
  FacesearchConflictError,
  FacesearchError,
  type FacesearchErrorInit,
  type FacesearchErrorKind,
  FacesearchInternalError,
  FacesearchNetworkError,
  type FacesearchNetworkErrorReason,
  FacesearchNotFoundError,
  FacesearchPermissionError,
  FacesearchRateLimitError,
  FacesearchTooLargeError,
  FacesearchUnavailableError,
  FacesearchUnprocessableError,
  FacesearchUnsupportedMediaError,
  FacesearchValidationError,
} from './facesearch.error';
export type { FetchLike, SleepFn } from './http-transport';
export { Paginator } from './paginator';
export type { MutationRequestOptions, RequestOptions } from './request-options';
export * from './types';
export { SDK_VERSION } from './version';
export {
  signWebhookPayload,
  type SignWebhookPayloadInput,
  verifyWebhookSignature,
  type VerifyWebhookSignatureInput,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookPayload,
  type WebhookSignatureFailure,
  WebhookSignatureError,
} from './webhook-signature';
