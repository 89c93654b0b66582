export { SearchModule } from './search.module';
export { SearchFacesByImage, SearchFacesByFace, ThresholdPolicy, type SearchCaller, type QueryFaceResult } from './search-faces.use-case';
export { VerifyFaces, type VerifySide } from './verify-faces.use-case';
export { type QueryImage } from './query-embedder';
export { type FaceMatch } from './match-resolver';
export { SearchError, SearchErrorCode } from './search.error';
