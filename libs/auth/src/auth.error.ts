import { AppError, ErrorKind } from '@app/contracts';

export enum AuthErrorCode {
  MissingCredentials = 'missing_credentials',
  InvalidCredentials = 'invalid_credentials',
  WrongRole = 'wrong_role',
  OperatorOnly = 'operator_only',
  TenantOnly = 'tenant_only',
}

const KIND: Record<AuthErrorCode, ErrorKind> = {
  [AuthErrorCode.MissingCredentials]: ErrorKind.Unauthenticated,
  [AuthErrorCode.InvalidCredentials]: ErrorKind.Unauthenticated,
  [AuthErrorCode.WrongRole]: ErrorKind.Forbidden,
  [AuthErrorCode.OperatorOnly]: ErrorKind.Forbidden,
  [AuthErrorCode.TenantOnly]: ErrorKind.Forbidden,
};

export class AuthError extends AppError<AuthErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: AuthErrorCode, detail: string) {
    super(code, detail);
    this.kind = KIND[code];
  }
}
