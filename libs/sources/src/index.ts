export { SourceError, SourceErrorCode, isSourceError } from './source.error';
export {
  type ImageSource,
  type UrlImageSource,
  type S3ImageSource,
  type S3ObjectRef,
  type FetchOptions,
  isUrlSource,
  isS3Source,
} from './image-source';
export { SourceFetcher, type SourceFetcherOptions, s3ClientConfig } from './source-fetcher';
export { type HostResolver, type ResolvedAddress, defaultResolver } from './ssrf-guard';
export { type RequestFunction, DEFAULT_USER_AGENT } from './url-fetcher';
export { SourcesModule, type SourcesModuleOptions } from './sources.module';
