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
