import { AppError, ErrorKind } from '@app/contracts';

/** Image codes are API.md's ("Image input and job errors"); the others are engine faults. */
export type FaceErrorCode =
  | 'unsupported_format'
  | 'too_large'
  | 'too_many_pixels'
  | 'corrupt_image'
  | 'no_face'
  | 'model_missing'
  | 'model_hash_mismatch'
  | 'model_invalid'
  | 'invalid_options'
  | 'engine_unavailable'
  | 'engine_failure';

const KIND_BY_CODE: Readonly<Record<FaceErrorCode, ErrorKind>> = {
  unsupported_format: ErrorKind.Unsupported,
  too_large: ErrorKind.TooLarge,
  too_many_pixels: ErrorKind.Unprocessable,
  corrupt_image: ErrorKind.Unprocessable,
  no_face: ErrorKind.Unprocessable,
  model_missing: ErrorKind.Internal,
  model_hash_mismatch: ErrorKind.Internal,
  model_invalid: ErrorKind.Internal,
  invalid_options: ErrorKind.Validation,
  // Closed, or a worker died mid-job: retrying later can succeed.
  engine_unavailable: ErrorKind.Unavailable,
  // An unexpected fault (a bug): the detail stays generic.
  engine_failure: ErrorKind.Internal,
};

export const FACE_ERROR_CODES = Object.keys(KIND_BY_CODE) as FaceErrorCode[];

export function isFaceErrorCode(value: unknown): value is FaceErrorCode {
  return typeof value === 'string' && value in KIND_BY_CODE;
}

/** The one exception type of the face engine; `detail` is safe to show and never holds image data. */
export class FaceError extends AppError<FaceErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: FaceErrorCode, detail: string, options?: { cause?: unknown }) {
    super(code, detail, options);
    this.kind = KIND_BY_CODE[code];
  }
}
