import { FacesearchWaitTimeoutError } from './facesearch.error';
import { defaultSleep, encodePath, type FetchLike, HttpTransport, type SleepFn } from './http-transport';
import {
  DEFAULT_MAX_IMAGE_BYTES,
  IMAGE_KINDS,
  type ImageInput,
  type ImageUpload,
  isUploadKind,
  kindOf,
  readUpload,
  sourceOf,
  type VerifyInput,
} from './image-input';
import { multipartForm } from './multipart';
import { Paginator } from './paginator';
import type { MutationRequestOptions, RequestOptions, WaitOptions } from './request-options';
import type {
  ApiKey,
  ApiKeyCreated,
  ApiKeyList,
  AssetFaces,
  AuditChainVerification,
  AuditEvent,
  AuditEventsQuery,
  AuditRange,
  CreateApiKeyInput,
  CreateTenantInput,
  DataKeyRotation,
  DeletePersonParams,
  DeletionReceipt,
  Face,
  FaceDataDeletion,
  ImageSource,
  IndexAssetParams,
  IndexBatchItem,
  IndexBatchResult,
  IndexJob,
  ListApiKeysQuery,
  Liveness,
  Page,
  PageQuery,
  PingResult,
  Readiness,
  S3ObjectRef,
  SearchByFaceResult,
  SearchByImageParams,
  SearchByImageResult,
  SearchParams,
  Settings,
  SettingsPatch,
  Tenant,
  TenantCreated,
  TenantDeletion,
  TenantListItem,
  VerifyParams,
  VerifyResult,
} from './types';
import { SDK_VERSION } from './version';

export interface FacesearchClientOptions {
  /** Where the gateway listens, e.g. `https://faces.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** A tenant API key (`fsk_…`), or the operator token for tenant management. */
  apiKey: string;
  /** Defaults to the global fetch (Node ≥ 20). */
  fetch?: FetchLike;
  /** Retries after the first attempt, for 429/503 and network failures where safe. Default 3. */
  maxRetries?: number;
  /** Per attempt, body included. Default 30000. */
  timeoutMs?: number;
  /** Prepended to the SDK's own User-Agent, e.g. `my-dam/2.3`. */
  userAgent?: string;
  /** Waits between retries; replace in tests to avoid real timers. */
  sleep?: SleepFn;
  /** Jitter source in [0, 1); replace in tests for deterministic delays. */
  random?: () => number;
  /**
   * Uploads larger than this are refused before sending (`FacesearchImageTooLargeError`). Default
   * 20 MB, the API's default limit; raise it if your server's `IMAGE_MAX_BYTES` is higher.
   */
  maxImageBytes?: number;
}

/**
 * Typed client of the facesearch API (API.md). One method per route; every method takes
 * `RequestOptions` last (POSTs that create work: `MutationRequestOptions`, with `idempotencyKey`).
 * Errors are `FacesearchError` subclasses (the API answered) or `FacesearchNetworkError` (it did not).
 */
export class FacesearchClient {
  readonly #http: HttpTransport;
  readonly #sleep: SleepFn;
  readonly #maxImageBytes: number;

  constructor(options: FacesearchClientOptions) {
    const url = parseBaseUrl(options.baseUrl);
    // Checked here so a bad key can never reach fetch, whose header errors quote the value.
    if (typeof options.apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new TypeError('apiKey must be a non-empty string of visible ASCII characters');
    }
    const fetchFn = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
    if (!fetchFn) throw new TypeError('No fetch available: use Node 20 or later, or pass options.fetch');
    const userAgent = [options.userAgent, `facesearch-sdk-js/${SDK_VERSION}`, `node/${process.versions.node}`].filter(Boolean).join(' ');
    if (/[\r\n]/.test(userAgent)) throw new TypeError('userAgent must not contain line breaks');
    this.#sleep = options.sleep ?? defaultSleep;
    this.#maxImageBytes = positiveInteger('maxImageBytes', options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES);
    this.#http = new HttpTransport({
      baseUrl: url,
      apiKey: options.apiKey,
      fetch: fetchFn,
      maxRetries: nonNegative('maxRetries', options.maxRetries ?? 3),
      timeoutMs: positive('timeoutMs', options.timeoutMs ?? 30_000),
      userAgent,
      sleep: this.#sleep,
      random: options.random ?? Math.random,
      now: Date.now,
    });
  }

  // --- tenants (operator token) ---

  /** Creates a tenant and its first admin key (shown once). */
  createTenant(input: CreateTenantInput, options?: MutationRequestOptions): Promise<TenantCreated> {
    return this.#http.request({ method: 'POST', path: '/v1/tenants', body: input, retry: 'keyed', options });
  }

  listTenants(query: PageQuery = {}, options?: RequestOptions): Promise<Page<TenantListItem>> {
    return this.#http.request({ method: 'GET', path: '/v1/tenants', query: { limit: query.limit, cursor: query.cursor }, options });
  }

  /** All tenants, fetched page by page as the loop consumes them. */
  iterateTenants(query: PageQuery = {}, options?: RequestOptions): Paginator<TenantListItem> {
    return new Paginator((cursor) => this.listTenants({ limit: query.limit, cursor }, options), query.cursor);
  }

  /** Tenant summary: counts, its KMS key, creation time. */
  getTenant(tenantId: string, options?: RequestOptions): Promise<Tenant> {
    return this.#http.request({ method: 'GET', path: `/v1/tenants/${encodePath(tenantId)}`, options });
  }

  /**
   * Deletes a tenant (operator): 202 at once, every key of the tenant revoked; the purge (data keys
   * destroyed first, then rows, index entries, snapshots) runs in the background. Follow the receipt
   * with `getDeletion(deletionId)` or `waitForDeletion`.
   */
  deleteTenant(tenantId: string, options?: RequestOptions): Promise<TenantDeletion> {
    return this.#http.request({ method: 'DELETE', path: `/v1/tenants/${encodePath(tenantId)}`, options });
  }

  // --- API keys (admin) ---

  /** The returned `key` is shown once: store it now. */
  createApiKey(input: CreateApiKeyInput, options?: MutationRequestOptions): Promise<ApiKeyCreated> {
    return this.#http.request({ method: 'POST', path: '/v1/api-keys', body: input, retry: 'keyed', options });
  }

  /** Keys without their secrets; revoked ones only with `includeRevoked`. */
  listApiKeys(query: ListApiKeysQuery = {}, options?: RequestOptions): Promise<ApiKeyList> {
    return this.#http.request({ method: 'GET', path: '/v1/api-keys', query: { includeRevoked: query.includeRevoked }, options });
  }

  /** Revokes a key, effective immediately. 409 for the tenant's last active admin key. */
  revokeApiKey(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.#http.request({ method: 'DELETE', path: `/v1/api-keys/${encodePath(id)}`, options });
  }

  // --- settings (admin) ---

  getSettings(options?: RequestOptions): Promise<Settings> {
    return this.#http.request({ method: 'GET', path: '/v1/settings', options });
  }

  /** Changes only the fields given. `webhookSecret` is write-only; `null` removes it. */
  updateSettings(patch: SettingsPatch, options?: RequestOptions): Promise<Settings> {
    // Setting the same values twice leaves the same state, so this PATCH is safe to retry.
    return this.#http.request({ method: 'PATCH', path: '/v1/settings', body: patch, retry: 'safe', options });
  }

  /**
   * Starts a data-key rotation (202): new data uses the new version at once; stored embeddings and
   * snapshots are re-encrypted in the background, then the old version is destroyed.
   */
  rotateDataKey(options?: MutationRequestOptions): Promise<DataKeyRotation> {
    return this.#http.request({ method: 'POST', path: '/v1/settings/rotate-data-key', retry: 'keyed', options });
  }

  // --- indexing (integrator, admin) ---

  /**
   * Indexes (or re-indexes) an asset's faces: 202 with the job, then asynchronous (`waitForJob`).
   * Re-indexing replaces the asset's faces; the same asset and image always give the same job.
   * An upload (`path`, `buffer`, `stream`) is sent as multipart, a `url` or `s3` source as JSON.
   */
  async indexAsset(assetId: string, image: ImageInput, params: IndexAssetParams = {}, options?: MutationRequestOptions): Promise<IndexJob> {
    const { maxFaces, qualityFilter, callbackUrl, metadata } = params;
    const fields = { maxFaces, qualityFilter, callbackUrl, metadata };
    const body = await this.#imageBody(image, 'image', fields, options);
    // The server derives the job id from (tenant, asset, image): a repeat cannot index twice.
    return this.#http.request({ method: 'POST', path: `/v1/assets/${encodePath(assetId)}/index`, body, retry: 'keyed', options });
  }

  /**
   * Indexes up to 1000 assets from URL or S3 sources in one request: 202 with one job per item, in
   * order, each as `indexAsset` would create it. (Uploads go one by one through `indexAsset`.)
   */
  async indexBatch(items: readonly IndexBatchItem[], options?: MutationRequestOptions): Promise<IndexBatchResult> {
    if (!Array.isArray(items)) throw new TypeError('items must be an array');
    const body = {
      items: items.map(({ assetId, source, maxFaces, qualityFilter, callbackUrl, metadata }, i) => ({
        assetId,
        source: sourceOf(source, `items[${i}].source`),
        maxFaces,
        qualityFilter,
        callbackUrl,
        metadata,
      })),
    };
    return this.#http.request({ method: 'POST', path: '/v1/index-jobs', body, retry: 'keyed', options });
  }

  getJob(jobId: string, options?: RequestOptions): Promise<IndexJob> {
    return this.#http.request({ method: 'GET', path: `/v1/jobs/${encodePath(jobId)}`, options });
  }

  /**
   * Polls a job until it is `completed` or `failed`, and resolves with it either way (a failed job
   * carries `error: { code, detail }`). Rejects with `FacesearchWaitTimeoutError` after `timeoutMs`.
   */
  waitForJob(jobId: string, wait: WaitOptions = {}): Promise<IndexJob> {
    return this.#poll('Job', jobId, (o) => this.getJob(jobId, o), (j) => j.status === 'completed' || j.status === 'failed', wait);
  }

  /** The faces of an asset (404 when the asset has none indexed in this tenant). */
  getAssetFaces(assetId: string, options?: RequestOptions): Promise<AssetFaces> {
    return this.#http.request({ method: 'GET', path: `/v1/assets/${encodePath(assetId)}/faces`, options });
  }

  /** One page of the tenant's faces. */
  listFaces(query: PageQuery = {}, options?: RequestOptions): Promise<Page<Face>> {
    return this.#http.request({ method: 'GET', path: '/v1/faces', query: { limit: query.limit, cursor: query.cursor }, options });
  }

  /** Every face of the tenant, fetched page by page as the loop consumes them. */
  iterateFaces(query: PageQuery = {}, options?: RequestOptions): Paginator<Face> {
    return new Paginator((cursor) => this.listFaces({ limit: query.limit, cursor }, options), query.cursor);
  }

  // --- search (integrator, admin) ---

  /**
   * Where do the people of this image appear? Its faces (largest first, `maxQueryFaces`, default 1)
   * each with their matches. The image is analysed in memory and never stored. 422 `no_face`
   * (`FacesearchUnprocessableError`) when it has no usable face.
   */
  async searchFacesByImage(image: ImageInput, params: SearchByImageParams = {}, options?: RequestOptions): Promise<SearchByImageResult> {
    const { maxResults, threshold, maxQueryFaces } = params;
    const body = await this.#imageBody(image, 'image', { maxResults, threshold, maxQueryFaces }, options);
    // A search changes nothing: safe to repeat.
    return this.#http.request({ method: 'POST', path: '/v1/search/faces-by-image', body, retry: 'safe', options });
  }

  /** Faces that look like a stored face, the face itself excluded (404 when it is not in this tenant). */
  searchFacesByFace(faceId: string, params: SearchParams = {}, options?: RequestOptions): Promise<SearchByFaceResult> {
    const { maxResults, threshold } = params;
    return this.#http.request({ method: 'POST', path: `/v1/search/faces/${encodePath(faceId)}`, body: { maxResults, threshold }, retry: 'safe', options });
  }

  /**
   * Are `a` and `b` the same person? Each an image (its largest face) or a stored `{ faceId }`.
   * Uploads go as multipart files `a`/`b` (a non-upload side then travels as a JSON form field);
   * otherwise the body is JSON `{ a, b }`.
   */
  async verify(a: VerifyInput, b: VerifyInput, params: VerifyParams = {}, options?: RequestOptions): Promise<VerifyResult> {
    const sides = { a: this.#side(a, 'a'), b: this.#side(b, 'b') };
    let body: FormData | Record<string, unknown>;
    if (sides.a.kind === 'upload' || sides.b.kind === 'upload') {
      const files: Record<string, Awaited<ReturnType<typeof readUpload>>> = {};
      const fields: Record<string, unknown> = {};
      for (const [name, side] of Object.entries(sides)) {
        if (side.kind === 'upload') files[name] = await readUpload(side.upload, this.#maxImageBytes);
        else fields[name] = side.json;
      }
      options?.signal?.throwIfAborted();
      body = multipartForm(files, { ...fields, threshold: params.threshold });
    } else {
      body = { a: sides.a.json, b: sides.b.json, threshold: params.threshold };
    }
    return this.#http.request({ method: 'POST', path: '/v1/verify', body, retry: 'safe', options });
  }

  // --- face data deletion (Face Data Delete API) ---
  //
  // The three synchronous scopes answer 200 with a completed receipt: when they resolve, the faces can
  // no longer be found, their encrypted embeddings are gone and no index snapshot holds them. They are
  // retried like any DELETE (429, 503, network failure, timeout: the end state is the same), but the
  // *answer* is not idempotent: if an attempt deleted the face and its answer was lost, the retry gets
  // 404. A `FacesearchNotFoundError` with `attempts > 1` therefore means "gone, most likely by this
  // call"; its receipt is in `listDeletions()` (admin, auditor). A 503 means nothing was deleted.

  /** Deletes one face (integrator, admin); 404 `face_not_found` when it is not in this tenant. */
  deleteFace(faceId: string, options?: RequestOptions): Promise<DeletionReceipt> {
    return this.#http.request({ method: 'DELETE', path: `/v1/faces/${encodePath(faceId)}`, retry: 'safe', options });
  }

  /**
   * Deletes every face of an asset (integrator, admin) and cancels its pending index jobs: a job
   * already running writes nothing. Indexing the asset again afterwards (even the same image) is a new
   * job. 404 `asset_not_found` for an asset this tenant never indexed.
   */
  deleteAssetFaces(assetId: string, options?: RequestOptions): Promise<DeletionReceipt> {
    return this.#http.request({ method: 'DELETE', path: `/v1/assets/${encodePath(assetId)}/faces`, retry: 'safe', options });
  }

  /**
   * Deletes a person (admin). With `withFaces: true` the person's faces are erased (`counts.faces`);
   * without, they stay, unassigned (`counts.facesUnassigned`). 404 `person_not_found`.
   */
  deletePerson(personId: string, params: DeletePersonParams = {}, options?: RequestOptions): Promise<DeletionReceipt> {
    return this.#http.request({ method: 'DELETE', path: `/v1/persons/${encodePath(personId)}`, query: { withFaces: params.withFaces }, retry: 'safe', options });
  }

  /**
   * Deletes all face data of the tenant (admin): 202 at once, the purge runs in the background; the
   * tenant, its keys, settings and audit log stay. Follow it with `waitForDeletion(deletionId)`.
   * Every call starts a purge of its own and the server takes no Idempotency-Key on DELETE, so this
   * call is retried only when the server refused it (429, 503: nothing started), never after a
   * network failure or timeout: then look for a pending `faceData` receipt in `listDeletions()`
   * before calling again.
   */
  deleteFaceData(options?: RequestOptions): Promise<FaceDataDeletion> {
    return this.#http.request({ method: 'DELETE', path: '/v1/face-data', retry: 'refused', options });
  }

  // --- deletion receipts ---

  /** A deletion receipt (admin, auditor; the operator for tenant deletions). */
  getDeletion(deletionId: string, options?: RequestOptions): Promise<DeletionReceipt> {
    return this.#http.request({ method: 'GET', path: `/v1/deletions/${encodePath(deletionId)}`, options });
  }

  /** One page of the tenant's receipts, newest first (admin, auditor). */
  listDeletions(query: PageQuery = {}, options?: RequestOptions): Promise<Page<DeletionReceipt>> {
    return this.#http.request({ method: 'GET', path: '/v1/deletions', query: { limit: query.limit, cursor: query.cursor }, options });
  }

  /** Every receipt of the tenant, newest first, page by page. */
  iterateDeletions(query: PageQuery = {}, options?: RequestOptions): Paginator<DeletionReceipt> {
    return new Paginator((cursor) => this.listDeletions({ limit: query.limit, cursor }, options), query.cursor);
  }

  /** Polls a receipt until it is `completed` or `failed`, and resolves with it either way. */
  waitForDeletion(deletionId: string, wait: WaitOptions = {}): Promise<DeletionReceipt> {
    return this.#poll('Deletion', deletionId, (o) => this.getDeletion(deletionId, o), (d) => d.status !== 'pending', wait);
  }

  // --- audit log (auditor, admin) ---

  /** One page of the tenant's audit events, newest first. Reading the log is itself audited. */
  listAuditEvents(query: AuditEventsQuery = {}, options?: RequestOptions): Promise<Page<AuditEvent>> {
    const { from, to, action, actorKeyId, limit, cursor } = query;
    return this.#http.request({ method: 'GET', path: '/v1/audit-events', query: { from, to, action, actorKeyId, limit, cursor }, options });
  }

  /** Every audit event matching the query, newest first, page by page. */
  iterateAuditEvents(query: AuditEventsQuery = {}, options?: RequestOptions): Paginator<AuditEvent> {
    return new Paginator((cursor) => this.listAuditEvents({ ...query, cursor }, options), query.cursor);
  }

  /** Recomputes the hash chain over the range; names the first event that does not check out. */
  verifyAuditChain(range: AuditRange = {}, options?: RequestOptions): Promise<AuditChainVerification> {
    return this.#http.request({ method: 'GET', path: '/v1/audit-events/verify', query: { from: range.from, to: range.to }, options });
  }

  // --- operations ---

  /** Round trip gateway → queue → indexer worker → gateway (admin). */
  pingWorker(options?: RequestOptions): Promise<PingResult> {
    // Creates nothing lasting: a repeated ping is just another ping.
    return this.#http.request({ method: 'POST', path: '/v1/diagnostics/ping', retry: 'safe', options });
  }

  /** Liveness; public, the API key is not sent. */
  health(options?: RequestOptions): Promise<Liveness> {
    return this.#http.request({ method: 'GET', path: '/health/live', auth: false, options });
  }

  /**
   * Readiness of the gateway's dependencies. Resolves on 503 too (`status: 'unavailable'` with the
   * failing checks) and is never retried: a probe wants the answer of this moment.
   */
  ready(options?: RequestOptions): Promise<Readiness> {
    return this.#http.request({ method: 'GET', path: '/health/ready', auth: false, retry: 'none', acceptStatuses: [503], options });
  }

  /** JSON `{ source, ...fields }`, or multipart with the upload under `fileField` and the fields as form fields. */
  async #imageBody(image: ImageInput, fileField: string, fields: Record<string, unknown>, options?: RequestOptions): Promise<FormData | Record<string, unknown>> {
    const kind = kindOf(image, 'image', IMAGE_KINDS);
    if (!isUploadKind(kind)) return { source: sourceOf(image as { url: string } | { s3: S3ObjectRef }), ...fields };
    const upload = await readUpload(image as ImageUpload, this.#maxImageBytes);
    options?.signal?.throwIfAborted();
    return multipartForm({ [fileField]: upload }, fields);
  }

  #side(input: VerifyInput, name: 'a' | 'b'): { kind: 'upload'; upload: ImageUpload } | { kind: 'json'; json: { source: ImageSource } | { faceId: string } | { personId: string } } {
    const kind = kindOf(input, name, [...IMAGE_KINDS, 'faceId', 'personId']);
    if (isUploadKind(kind)) return { kind: 'upload', upload: input as ImageUpload };
    if (kind === 'faceId') return { kind: 'json', json: { faceId: String((input as { faceId: string }).faceId) } };
    if (kind === 'personId') return { kind: 'json', json: { personId: String((input as { personId: string }).personId) } };
    return { kind: 'json', json: { source: sourceOf(input as { url: string } | { s3: S3ObjectRef }) } };
  }

  /** Polls until `done`, sleeping `intervalMs` between polls, within `timeoutMs` in all. */
  async #poll<T>(what: string, id: string, get: (o: RequestOptions) => Promise<T>, done: (value: T) => boolean, wait: WaitOptions): Promise<T> {
    const timeoutMs = positive('timeoutMs', wait.timeoutMs ?? 600_000);
    const intervalMs = positive('intervalMs', wait.intervalMs ?? 1000);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      wait.signal?.throwIfAborted();
      const value = await get({ signal: wait.signal, requestId: wait.requestId });
      if (done(value)) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new FacesearchWaitTimeoutError(id, timeoutMs, value, what);
      await this.#sleep(Math.min(intervalMs, left), wait.signal);
    }
  }
}

function parseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('baseUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be an absolute http(s) URL');
  if (url.search || url.hash) throw new TypeError('baseUrl must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function nonNegative(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${name} must be a non-negative integer`);
  return n;
}

function positive(name: string, n: number): number {
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`${name} must be a positive number`);
  return n;
}

function positiveInteger(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`${name} must be a positive integer`);
  return n;
}
