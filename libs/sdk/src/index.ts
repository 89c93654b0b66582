export { FacesearchClient, type FacesearchClientOptions } from './facesearch.client';
export {
  createFacesearchError,
  FacesearchAuthenticationError,
  FacesearchConflictError,
  FacesearchError,
  type FacesearchErrorInit,
  FacesearchImageTooLargeError,
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
  FacesearchWaitTimeoutError,
} from './facesearch.error';
export type { FetchLike, SleepFn } from './http-transport';
export {
  DEFAULT_MAX_IMAGE_BYTES,
  type ImageFromBuffer,
  type ImageFromPath,
  type ImageFromStream,
  type ImageInput,
  type ImageUpload,
  type VerifyInput,
} from './image-input';
export { Paginator } from './paginator';
export type { MutationRequestOptions, RequestOptions, WaitOptions } from './request-options';
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
