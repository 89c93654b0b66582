import { AppError, ErrorKind } from '@app/contracts';

export enum IndexingErrorCode {
  JobNotFound = 'job_not_found',
  AssetNotFound = 'asset_not_found',
  InvalidAssetId = 'invalid_asset_id',
  InvalidCursor = 'invalid_cursor',
  UploadMissing = 'upload_missing',
}

const KIND: Record<IndexingErrorCode, ErrorKind> = {
  [IndexingErrorCode.JobNotFound]: ErrorKind.NotFound,
  [IndexingErrorCode.AssetNotFound]: ErrorKind.NotFound,
  [IndexingErrorCode.InvalidAssetId]: ErrorKind.Validation,
  [IndexingErrorCode.InvalidCursor]: ErrorKind.Validation,
  [IndexingErrorCode.UploadMissing]: ErrorKind.Internal,
};

export class IndexingError extends AppError<IndexingErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: IndexingErrorCode, detail: string) {
    super(code, detail);
    this.kind = KIND[code];
  }
}
