import { AppError, ErrorKind } from '@app/contracts';

export enum SearchErrorCode {
  NoFace = 'no_face',
  FaceNotFound = 'face_not_found',
  PersonNotSupported = 'person_not_supported',
}

const KIND: Record<SearchErrorCode, ErrorKind> = {
  [SearchErrorCode.NoFace]: ErrorKind.Unprocessable,
  [SearchErrorCode.FaceNotFound]: ErrorKind.NotFound,
  [SearchErrorCode.PersonNotSupported]: ErrorKind.Validation,
};

export class SearchError extends AppError<SearchErrorCode> {
  readonly kind: ErrorKind;

  constructor(code: SearchErrorCode, detail: string) {
    super(code, detail);
    this.kind = KIND[code];
  }
}
