import { defaultSleep, encodePath, type FetchLike, HttpTransport, type SleepFn } from './http-transport';
import { Paginator } from './paginator';
import type { MutationRequestOptions, RequestOptions } from './request-options';
import type {
  ApiKey,
  ApiKeyCreated,
  ApiKeyList,
  CreateApiKeyInput,
  CreateTenantInput,
  DataKeyRotation,
  ListApiKeysQuery,
  Liveness,
  Page,
  PageQuery,
  PingResult,
  Readiness,
  Settings,
  SettingsPatch,
  Tenant,
  TenantCreated,
  TenantListItem,
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
}

/**
 * Typed client of the facesearch API (API.md). One method per route; every method takes
 * `RequestOptions` last (POSTs that create work: `MutationRequestOptions`, with `idempotencyKey`).
 * Errors are `FacesearchError` subclasses (the API answered) or `FacesearchNetworkError` (it did not).
 */
export class FacesearchClient {
  readonly #http: HttpTransport;

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
    this.#http = new HttpTransport({
      baseUrl: url,
      apiKey: options.apiKey,
      fetch: fetchFn,
      maxRetries: nonNegative('maxRetries', options.maxRetries ?? 3),
      timeoutMs: positive('timeoutMs', options.timeoutMs ?? 30_000),
      userAgent,
      sleep: options.sleep ?? defaultSleep,
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
