/**
 * Request and response shapes of the public API (API.md). Declared here, not imported from the
 * server's code, so that the SDK can be published on its own with no dependencies.
 */

export type Role = 'integrator' | 'admin' | 'auditor';

export type QualityFilter = 'none' | 'low' | 'medium' | 'high';

/** One page of a cursor-paginated listing. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  /** Page size, 1..1000 (server default 100). */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

// --- tenants (operator) ---

export interface CreateTenantInput {
  name: string;
  /** Days face data is kept, 1..3650 (server default 90). */
  retentionDays?: number;
  /** Bring-your-own AWS KMS key (key id, ARN or alias). */
  kmsKeyId?: string;
}

export interface TenantCreated {
  tenantId: string;
  /** The tenant's first admin key. Shown once: store it now. */
  adminApiKey: string;
}

export interface TenantCounts {
  activeApiKeys: number;
  /** Further counts (faces, persons, ...) appear here as the service grows. */
  [name: string]: number;
}

export interface Tenant {
  tenantId: string;
  name: string;
  retentionDays: number;
  /** The tenant's own KMS key, or null for the shared key. */
  kmsKeyId: string | null;
  createdAt: string;
  counts: TenantCounts;
}

export interface TenantListItem {
  tenantId: string;
  name: string;
  kmsKeyId: string | null;
  createdAt: string;
}

// --- API keys (admin) ---

export interface CreateApiKeyInput {
  name: string;
  role: Role;
}

export interface ApiKeyCreated {
  id: string;
  /** The key itself. Shown once: store it now. */
  key: string;
  role: Role;
  name: string;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  /** Public part of the key (`fsk_<prefix>_…`), to recognise it. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface ListApiKeysQuery {
  includeRevoked?: boolean;
}

export interface ApiKeyList {
  items: ApiKey[];
}

// --- settings (admin) ---

export interface Settings {
  retentionDays: number;
  matchThreshold: number;
  minFaceSize: number;
  maxFacesPerImage: number;
  qualityFilter: QualityFilter;
  /** Whether a webhook secret is set; the secret itself is write-only. */
  webhookSecretSet: boolean;
}

export interface SettingsPatch {
  retentionDays?: number;
  matchThreshold?: number;
  minFaceSize?: number;
  maxFacesPerImage?: number;
  qualityFilter?: QualityFilter;
  /** Write-only (16..256 characters); `null` removes it. */
  webhookSecret?: string | null;
}

export interface DataKeyRotation {
  /** The new current data-key version, used for new data at once. */
  version: number;
  /** The version being re-encrypted away in the background, then destroyed. */
  previousVersion: number;
  /** The background re-encryption job. */
  jobId: string;
}

// --- operations ---

export interface PingResult {
  /** The worker that answered. */
  worker: string;
  /** Gateway → queue → worker → gateway, in ms. */
  roundTripMs: number;
}

export interface Liveness {
  status: 'ok';
}

export type CheckStatus = 'up' | 'down';

export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: Record<string, CheckStatus>;
}

// --- errors ---

export interface FieldError {
  field: string;
  messages: string[];
}

/** RFC 9457 problem details as the gateway sends them. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errorId?: string;
  requestId?: string;
  errors?: FieldError[];
}

// --- images ---

/** An object in S3 the service can read (its role must be allowed to). */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  versionId?: string;
}

/** Where the service fetches an image itself (JSON `source`): an http(s) URL (SSRF rules apply) or S3. */
export type ImageSource = { url: string } | { s3: S3ObjectRef };

/** Codes of the image errors of synchronous calls (problem `code`) and of failed jobs (`error.code`). */
export type ImageErrorCode = 'unsupported_format' | 'too_large' | 'too_many_pixels' | 'corrupt_image' | 'no_face';

/** A box relative to the image as displayed (EXIF orientation applied), each value in 0..1. */
export interface BoundingBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

// --- indexing ---

export type JobStatus = 'queued' | 'active' | 'completed' | 'failed';

export type UnindexedFaceReason = 'too_small' | 'low_confidence' | 'low_sharpness' | 'extreme_pose' | 'exceeds_max_faces';

/** Why a job failed (API.md, "Image input and job errors"). */
export type JobErrorCode =
  | 'unsupported_format'
  | 'corrupt_image'
  | 'too_many_pixels'
  | 'too_large'
  | 'source_forbidden'
  | 'source_unreachable'
  | 'source_not_found'
  | 'timeout'
  | 'cancelled';

/** Optional fields of `POST /v1/assets/{assetId}/index`. */
export interface IndexAssetParams {
  /** At most this many faces are indexed, largest first (1..1000; default: the tenant's `maxFacesPerImage`). */
  maxFaces?: number;
  /** Overrides the tenant's `qualityFilter` for this image. */
  qualityFilter?: QualityFilter;
  /** Receives a signed POST (`Facesearch-Signature`) when the job ends. */
  callbackUrl?: string;
  /** Your own string values, kept with the job. */
  metadata?: Record<string, string>;
}

/** One item of `POST /v1/index-jobs`: an asset and where the service fetches its image. */
export interface IndexBatchItem extends IndexAssetParams {
  assetId: string;
  source: ImageSource;
}

/** One job per item, in the order of the items. */
export interface IndexBatchResult {
  jobs: IndexJob[];
}

/** An index job, as `indexAsset` answers (202) and `getJob` reads it. */
export interface IndexJob {
  jobId: string;
  assetId: string;
  status: JobStatus;
  facesIndexed: number;
  /** Faces found but not indexed, and why. */
  unindexedFaces: { reason: UnindexedFaceReason }[];
  /** Only on a failed job. */
  error?: { code: JobErrorCode; detail: string };
  createdAt: string;
  completedAt: string | null;
}

export interface Face {
  faceId: string;
  assetId: string;
  boundingBox: BoundingBox;
  /** Detector confidence, 0..1. */
  confidence: number;
  /** Quality measures (sharpness, pose…), by name. */
  quality: Record<string, number>;
  personId?: string;
  /** Models that produced the embedding, e.g. `yunet-arcface-v1@1`. */
  modelSet: string;
  indexedAt: string;
}

export interface AssetFaces {
  assetId: string;
  faces: Face[];
}

// --- search ---

export interface SearchParams {
  /** 1..1000, server default 20. */
  maxResults?: number;
  /** Minimum similarity 0..1; default: the tenant's `matchThreshold`. */
  threshold?: number;
}

export interface SearchByImageParams extends SearchParams {
  /** Faces of the query image to search with, largest first: 1..20, server default 1. */
  maxQueryFaces?: number;
}

export interface FaceMatch {
  faceId: string;
  assetId: string;
  /** 0..1; matches are sorted by it, highest first. */
  similarity: number;
  boundingBox: BoundingBox;
  personId?: string;
}

export interface QueryFace {
  /** Where this face is in the query image. */
  boundingBox: BoundingBox;
  confidence: number;
  matches: FaceMatch[];
}

export interface SearchByImageResult {
  queryFaces: QueryFace[];
}

export interface SearchByFaceResult {
  /** The face searched with is never among them. */
  matches: FaceMatch[];
}

export interface VerifyParams {
  /** 0..1; default: the tenant's `matchThreshold`. */
  threshold?: number;
}

export interface VerifyResult {
  match: boolean;
  similarity: number;
  /** The threshold `match` was decided with. */
  threshold: number;
}

// --- deletions ---

/** `DELETE /v1/tenants/{tenantId}` (202): the purge runs in the background. */
export interface TenantDeletion {
  /** Receipt id: follow it with `getDeletion`. */
  deletionId: string;
}

/** `DELETE /v1/face-data` (202): every face of the tenant goes in the background. */
export interface FaceDataDeletion {
  /** Receipt id: follow it with `getDeletion` or `waitForDeletion` (admin, auditor). */
  deletionId: string;
}

/** Optional parameters of `DELETE /v1/persons/{personId}`. */
export interface DeletePersonParams {
  /** Also erase the person's faces. Without it (default false) the faces stay, unassigned. */
  withFaces?: boolean;
}

/**
 * What a receipt is about. `retention` receipts are written by the service itself when faces pass
 * their tenant's `retentionDays` (their `scope.id` is the cutoff time); `faceData` has no id.
 */
export type DeletionScopeType = 'face' | 'asset' | 'person' | 'faceData' | 'retention' | 'tenant';

export type DeletionStatus = 'pending' | 'completed' | 'failed';

export interface DeletionCounts {
  faces: number;
  embeddings: number;
  indexEntries: number;
  snapshotsRewritten: number;
  jobsCancelled: number;
  /** Sealed uploads of cancelled index jobs that were deleted. */
  transientUploads?: number;
  /** Faces left in place, unassigned (a person deleted without `withFaces`). */
  facesUnassigned?: number;
  /** Tenant deletion: data-key versions destroyed (crypto-shredding). */
  dataKeysDestroyed?: number;
  /** Further counts of the scope, present only where they apply (e.g. `apiKeys` for a tenant). */
  [name: string]: number | undefined;
}

/** A deletion receipt (API.md, "Face Data Delete API"). */
export interface DeletionReceipt {
  deletionId: string;
  scope: { type: DeletionScopeType; id: string | null };
  status: DeletionStatus;
  requestedAt: string;
  completedAt: string | null;
  /** Who asked, e.g. `{ type: 'operator' }`, `{ type: 'apiKey', keyId, role }` or `{ type: 'system' }` (retention). */
  requestedBy: Record<string, string>;
  counts: DeletionCounts;
  /**
   * `searchable`: deleted faces a search of the index still returned afterwards (0), or null while
   * pending or when the index could not be searched. `checked`: how many deleted embeddings were searched
   * for (all of them for the face, asset and person scopes; a sample for the tenant-wide ones).
   */
  verified: { searchable: number | null; checked: number };
}

// --- audit log (auditor, admin) ---

export type AuditOutcome = 'success' | 'denied' | 'error';

/** One audit event; `hash = SHA-256(prevHash + canonical event)`, chained per tenant. */
export interface AuditEvent {
  eventId: string;
  seq: number;
  at: string;
  tenantId: string;
  actor: { type: 'apiKey' | 'operator' | 'system'; keyId?: string; role?: string };
  /** e.g. `api_key.created`, `asset.indexed`, `search.faces_by_image`. */
  action: string;
  target: { type: string; id: string | null };
  outcome: AuditOutcome;
  /** facesMatched, facesIndexed, captureHash, latencyMs…; never images, embeddings or secrets. */
  details: Record<string, unknown>;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditRange {
  /** ISO-8601 date-time, inclusive. */
  from?: string;
  to?: string;
}

export interface AuditEventsQuery extends AuditRange, PageQuery {
  /** Only this action, e.g. `api_key.created`. */
  action?: string;
  /** Only what this API key did. */
  actorKeyId?: string;
}

export interface AuditChainVerification {
  valid: boolean;
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  head: string | null;
  /** The first sequence number that does not check out (invalid chains only). */
  brokenAtSeq?: number;
  reason?: 'hash_mismatch' | 'broken_link' | 'missing_event';
}
