import { AppError, ErrorKind } from '@app/contracts';

export enum PersistenceErrorCode {
  Unavailable = 'database_unavailable',
  Conflict = 'conflict',
}

const KIND: Record<PersistenceErrorCode, ErrorKind> = {
  [PersistenceErrorCode.Unavailable]: ErrorKind.Unavailable,
  [PersistenceErrorCode.Conflict]: ErrorKind.Conflict,
};

export class PersistenceError extends AppError<PersistenceErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: PersistenceErrorCode, detail: string, cause?: unknown) {
    super(code, detail, { cause, retryAfterSeconds: code === PersistenceErrorCode.Unavailable ? 5 : undefined });
    this.kind = KIND[code];
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/** Connection-level failures become a 503 (fail closed); everything else is a bug and stays as it is. */
export function translateDbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string; driverError?: { code?: string } };
  const code = e?.code ?? e?.driverError?.code;
  if (
    (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith('08'))) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(e?.message ?? '')
  ) {
    return new PersistenceError(PersistenceErrorCode.Unavailable, 'The database is unavailable', err);
  }
  return err;
}
