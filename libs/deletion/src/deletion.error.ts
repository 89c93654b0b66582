import { AppError, ErrorKind } from '@app/contracts';

export enum DeletionErrorCode {
  TenantNotFound = 'tenant_not_found',
  DeletionNotFound = 'deletion_not_found',
  FaceNotFound = 'face_not_found',
  AssetNotFound = 'asset_not_found',
  PersonNotFound = 'person_not_found',
}

export class DeletionError extends AppError<DeletionErrorCode> {
  readonly kind = ErrorKind.NotFound;

  constructor(code: DeletionErrorCode, detail: string) {
    super(code, detail);
  }
}
