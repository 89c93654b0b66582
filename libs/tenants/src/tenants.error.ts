import { AppError, ErrorKind } from '@app/contracts';

export enum TenantsErrorCode {
  TenantNotFound = 'tenant_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  LastAdminKey = 'last_admin_key',
  InvalidCursor = 'invalid_cursor',
}

const KIND: Record<TenantsErrorCode, ErrorKind> = {
  [TenantsErrorCode.TenantNotFound]: ErrorKind.NotFound,
  [TenantsErrorCode.ApiKeyNotFound]: ErrorKind.NotFound,
  [TenantsErrorCode.LastAdminKey]: ErrorKind.Conflict,
  [TenantsErrorCode.InvalidCursor]: ErrorKind.Validation,
};

export class TenantsError extends AppError<TenantsErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: TenantsErrorCode, detail: string) {
    super(code, detail);
    this.kind = KIND[code];
  }
}
