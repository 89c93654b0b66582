/** An image to fetch, as the caller gave it in a request's `source` field (API.md, "Conventions"). */
export type ImageSource = UrlImageSource | S3ImageSource;

export interface UrlImageSource {
  readonly url: string;
}

export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

export interface S3ImageSource {
  readonly s3: S3ObjectRef;
}

export const isUrlSource = (source: ImageSource): source is UrlImageSource => 'url' in source;
export const isS3Source = (source: ImageSource): source is S3ImageSource => 's3' in source;

/** Per-call options of SourceFetcher.fetch. */
export interface FetchOptions {
  /** Cancels the fetch (e.g. the job was cancelled); the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}
