import { type AppConfig } from '@app/config';
import { type TenantId } from '@app/contracts';
import { pickReplica } from './rendezvous';
import { encodeVector, normalizeVector } from './vector-codec';
import { VectorIndexError, VectorIndexErrorCode } from './vector-index.error';
import {
  type AddResult,
  type DropResult,
  type RemoveOptions,
  type RemoveResult,
  type SearchHit,
  type TenantIndexStats,
  type VectorEntry,
} from './vector-index.types';

export interface VectorIndexClientOptions {
  /** Replica base URLs (config.vectorIndex.urls); tenants are placed by rendezvous hashing. */
  readonly urls: readonly string[];
  readonly dims?: number;
  /** Per-request time limits. Searches are on the user's path: keep them short. */
  readonly searchTimeoutMs?: number;
  /** Adds, removes and drops may wait for the replica to load the tenant first. */
  readonly mutationTimeoutMs?: number;
  /** Extra attempts after a refused or reset connection (every call is idempotent); not after a timeout. */
  readonly connectRetries?: number;
  readonly fetch?: typeof fetch;
}

export const MAX_SEARCH_K = 1000;
/** Ids per remove request (the replica's limit); longer lists are sent in several requests. */
export const MAX_REMOVE_IDS = 10_000;
const FACE_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
}

/**
 * How the gateway and the indexer reach the vector-index replicas. Each tenant lives on one replica,
 * chosen by rendezvous hashing of its id over the configured list, so every process agrees without
 * coordination. A replica that is down (or still loading the tenant) fails fast with
 * `vector_index_unavailable` (503, Retry-After); no other replica answers for it, because results
 * must be complete. Vectors travel as base64 of Float32 little-endian bytes.
 */
export class VectorIndexClient {
  readonly dims: number;
  private readonly urls: readonly string[];
  private readonly searchTimeoutMs: number;
  private readonly mutationTimeoutMs: number;
  private readonly connectRetries: number;
  private readonly fetchFn: typeof fetch;

  constructor(options: VectorIndexClientOptions) {
    if (options.urls.length === 0) throw new RangeError('VectorIndexClient needs at least one replica URL');
    this.urls = options.urls.map((u) => u.replace(/\/+$/, ''));
    this.dims = options.dims ?? 512;
    this.searchTimeoutMs = options.searchTimeoutMs ?? 5_000;
    this.mutationTimeoutMs = options.mutationTimeoutMs ?? 30_000;
    this.connectRetries = options.connectRetries ?? 1;
    this.fetchFn = options.fetch ?? fetch;
  }

  static fromConfig(config: Pick<AppConfig, 'vectorIndex'>, overrides: Partial<VectorIndexClientOptions> = {}): VectorIndexClient {
    return new VectorIndexClient({ urls: config.vectorIndex.urls, ...overrides });
  }

  /** The replica that owns tenantId. */
  replicaFor(tenantId: TenantId): string {
    return pickReplica(tenantId, this.urls);
  }

  async add(tenantId: TenantId, entries: readonly VectorEntry[]): Promise<AddResult> {
    if (entries.length === 0) return { added: 0, skipped: 0, deferred: 0 };
    const body = {
      entries: entries.map((e) => {
        assertFaceId(e.faceId);
        if (e.seq !== undefined && !(Number.isSafeInteger(e.seq) && e.seq >= 0)) {
          throw new VectorIndexError(VectorIndexErrorCode.InvalidVector, 'seq must be a non-negative integer');
        }
        return { faceId: e.faceId, vector: encodeVector(normalizeVector(e.vector, this.dims)), ...(e.seq === undefined ? {} : { seq: e.seq }) };
      }),
    };
    return this.request<AddResult>(tenantId, { method: 'POST', path: 'faces', body, timeoutMs: this.mutationTimeoutMs });
  }

  /**
   * Mark-deletes the faces: unsearchable when this resolves. Unknown ids are remembered, so a late add is
   * ignored. With `purgeSnapshots`, no stored snapshot of the tenant holds their vectors any more when it
   * resolves either (see RemoveOptions). More than MAX_REMOVE_IDS ids go in several requests, the purge
   * with the last one (after every removal is applied).
   */
  async remove(tenantId: TenantId, faceIds: readonly string[], options: RemoveOptions = {}): Promise<RemoveResult> {
    if (faceIds.length === 0) return { removed: 0, snapshotsDeleted: 0 };
    faceIds.forEach(assertFaceId);
    const purge = options.purgeSnapshots === true;
    let removed = 0;
    let snapshotsDeleted = 0;
    for (let i = 0; i < faceIds.length; i += MAX_REMOVE_IDS) {
      const chunk = faceIds.slice(i, i + MAX_REMOVE_IDS);
      const last = i + MAX_REMOVE_IDS >= faceIds.length;
      const body = purge && last ? { faceIds: chunk, purgeSnapshots: true } : { faceIds: chunk };
      const r = await this.request<Partial<RemoveResult>>(tenantId, { method: 'POST', path: 'faces/remove', body, timeoutMs: this.mutationTimeoutMs });
      removed += r.removed ?? 0;
      snapshotsDeleted += r.snapshotsDeleted ?? 0;
    }
    return { removed, snapshotsDeleted };
  }

  /** The k most similar faces, most similar first, those below minSimilarity left out. */
  async search(tenantId: TenantId, vector: Float32Array, k: number, minSimilarity?: number): Promise<SearchHit[]> {
    if (!Number.isInteger(k) || k < 1 || k > MAX_SEARCH_K) {
      throw new VectorIndexError(VectorIndexErrorCode.InvalidVector, `k must be an integer from 1 to ${MAX_SEARCH_K}`);
    }
    if (minSimilarity !== undefined && !(minSimilarity >= 0 && minSimilarity <= 1)) {
      throw new VectorIndexError(VectorIndexErrorCode.InvalidVector, 'minSimilarity must be from 0 to 1');
    }
    const body = { vector: encodeVector(normalizeVector(vector, this.dims)), k, ...(minSimilarity === undefined ? {} : { minSimilarity }) };
    const res = await this.request<{ hits: SearchHit[] }>(tenantId, { method: 'POST', path: 'search', body, timeoutMs: this.searchTimeoutMs });
    return res.hits;
  }

  /** Drops the tenant's index from its replica and deletes its snapshots (tenant deletion). */
  dropTenant(tenantId: TenantId): Promise<DropResult> {
    return this.request<DropResult>(tenantId, { method: 'DELETE', path: '', timeoutMs: this.mutationTimeoutMs });
  }

  async stats(tenantId: TenantId): Promise<TenantIndexStats> {
    const stats = await this.request<Omit<TenantIndexStats, 'replica'>>(tenantId, { method: 'GET', path: 'stats', timeoutMs: this.searchTimeoutMs });
    return { ...stats, replica: this.replicaFor(tenantId) };
  }

  /** Writes a snapshot of the loaded index now (maintenance, tests). */
  snapshot(tenantId: TenantId): Promise<{ snapshotId: string | null }> {
    return this.request(tenantId, { method: 'POST', path: 'snapshot', timeoutMs: this.mutationTimeoutMs });
  }

  /** Starts a rebuild without mark-deleted entries, followed by a new snapshot (maintenance). */
  compact(tenantId: TenantId): Promise<{ started: boolean }> {
    return this.request(tenantId, { method: 'POST', path: 'compact', timeoutMs: this.mutationTimeoutMs });
  }

  private async request<T>(tenantId: TenantId, spec: RequestSpec): Promise<T> {
    const replica = this.replicaFor(tenantId);
    const url = `${replica}/v1/tenants/${encodeURIComponent(tenantId)}${spec.path ? `/${spec.path}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method: spec.method,
          headers: spec.body === undefined ? undefined : { 'content-type': 'application/json' },
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal: AbortSignal.timeout(spec.timeoutMs),
        });
      } catch (err) {
        if (attempt < this.connectRetries && isConnectError(err)) continue;
        const timedOut = (err as { name?: string } | null)?.name === 'TimeoutError';
        throw new VectorIndexError(
          VectorIndexErrorCode.Unavailable,
          timedOut ? 'the vector index did not answer in time' : 'the vector index is unreachable',
          { cause: err },
        );
      }
      return this.read<T>(res);
    }
  }

  private async read<T>(res: Response): Promise<T> {
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = undefined;
    }
    if (res.ok && body !== undefined) return body as T;
    const problem = (body ?? {}) as { code?: unknown; detail?: unknown };
    const detail = typeof problem.detail === 'string' ? problem.detail : `the vector index answered ${res.status}`;
    if (res.status === 503 || res.status === 502 || res.status === 504) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new VectorIndexError(VectorIndexErrorCode.Unavailable, detail, {
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      });
    }
    if (res.status === 400 && problem.code === VectorIndexErrorCode.InvalidVector) {
      throw new VectorIndexError(VectorIndexErrorCode.InvalidVector, detail);
    }
    if (res.status >= 400 && res.status < 500) throw new VectorIndexError(VectorIndexErrorCode.Rejected, detail);
    throw new VectorIndexError(VectorIndexErrorCode.Failure, res.ok ? 'the vector index answered something unreadable' : detail);
  }
}

function assertFaceId(faceId: string): void {
  if (typeof faceId !== 'string' || !FACE_ID_RE.test(faceId)) {
    throw new VectorIndexError(VectorIndexErrorCode.InvalidVector, 'a faceId must be 1-128 characters of A-Za-z0-9._:-');
  }
}

function isConnectError(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && CONNECT_ERRORS.has(e.code)) return true;
  }
  return false;
}
