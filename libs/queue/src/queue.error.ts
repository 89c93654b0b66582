import { AppError, ErrorKind } from '@app/contracts';

export enum QueueErrorCode {
  Unavailable = 'queue_unavailable',
  Timeout = 'job_timeout',
}

export class QueueError extends AppError<QueueErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: QueueErrorCode, detail: string, cause?: unknown) {
    super(code, detail, { cause, retryAfterSeconds: 5 });
    this.kind = ErrorKind.Unavailable;
  }
}
