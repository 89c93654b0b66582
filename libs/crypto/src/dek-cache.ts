import { type TenantId } from '@app/contracts';

export interface DekCacheOptions {
  /** Absolute lifetime of a cached DEK; bounds how long a destroyed or revoked key stays usable in memory. */
  ttlMs: number;
  maxEntries: number;
  /** Expired entries are zeroed by a timer too, not only when touched; 0 disables the timer. */
  sweepIntervalMs?: number;
  now?: () => number;
}

export interface DekCacheStats {
  size: number;
  hits: number;
  misses: number;
  /** Loader calls actually started (coalesced misses count once). */
  loads: number;
  evictions: number;
}

interface Entry {
  readonly tenantId: TenantId;
  readonly key: Buffer;
  readonly expiresAt: number;
}

interface Inflight {
  readonly tenantId: TenantId;
  readonly done: Promise<void>;
}

/**
 * Plaintext DEKs by (tenant, version): LRU with a TTL and a size bound; every key leaving the cache is
 * zero-filled. `get` is synchronous on purpose: callers use the key in the same tick, so an eviction
 * (which zeroes the buffer) can never happen between lookup and use. `load` coalesces concurrent
 * misses for one key into a single loader (KMS) call.
 */
export class DekCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Inflight>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private counters = { hits: 0, misses: 0, loads: 0, evictions: 0 };

  constructor(private readonly options: DekCacheOptions) {
    if (!(options.maxEntries >= 1) || !(options.ttlMs > 0)) throw new RangeError('DekCache needs maxEntries >= 1 and ttlMs > 0');
    this.now = options.now ?? Date.now;
    if (options.sweepIntervalMs) {
      this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs);
      this.timer.unref();
    }
  }

  /** The cached DEK, or undefined. Use it synchronously and never keep it across an await. */
  get(tenantId: TenantId, version: number): Buffer | undefined {
    const id = cacheKey(tenantId, version);
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt > this.now()) {
      // Re-insert to mark it most recently used.
      this.entries.delete(id);
      this.entries.set(id, entry);
      this.counters.hits++;
      return entry.key;
    }
    if (entry) this.remove(id, entry);
    this.counters.misses++;
    return undefined;
  }

  /**
   * Runs `loader` once for all concurrent callers of the same key and caches what it returns (the cache
   * takes ownership of the buffer). Resolves when the key is cached; read it with get().
   */
  load(tenantId: TenantId, version: number, loader: () => Promise<Buffer>): Promise<void> {
    const id = cacheKey(tenantId, version);
    const pending = this.inflight.get(id);
    if (pending) return pending.done;
    this.counters.loads++;
    const flight: { tenantId: TenantId; done: Promise<void> } = { tenantId, done: Promise.resolve() };
    flight.done = loader().then(
      (key) => {
        // Evicted while loading (the tenant was shredded): do not resurrect the key.
        if (this.inflight.get(id) !== flight) {
          key.fill(0);
          return;
        }
        this.inflight.delete(id);
        this.set(id, tenantId, key);
      },
      (err: unknown) => {
        if (this.inflight.get(id) === flight) this.inflight.delete(id);
        throw err;
      },
    );
    this.inflight.set(id, flight);
    return flight.done;
  }

  /** Caches a key the caller just created (the cache takes ownership of the buffer). */
  put(tenantId: TenantId, version: number, key: Buffer): void {
    this.set(cacheKey(tenantId, version), tenantId, key);
  }

  evict(tenantId: TenantId, version: number): void {
    const id = cacheKey(tenantId, version);
    this.inflight.delete(id);
    const entry = this.entries.get(id);
    if (entry) this.remove(id, entry);
  }

  /** Zeroes and drops every version of the tenant, and detaches loads in flight so they are not cached. */
  evictTenant(tenantId: TenantId): number {
    let removed = 0;
    for (const [id, entry] of this.entries) {
      if (entry.tenantId === tenantId) {
        this.remove(id, entry);
        removed++;
      }
    }
    for (const [id, flight] of this.inflight) if (flight.tenantId === tenantId) this.inflight.delete(id);
    return removed;
  }

  /** Zeroes and drops expired entries. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.remove(id, entry);
        removed++;
      }
    }
    return removed;
  }

  /** Zeroes everything and stops the sweeper. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const [id, entry] of this.entries) this.remove(id, entry);
    this.inflight.clear();
  }

  stats(): DekCacheStats {
    return { size: this.entries.size, ...this.counters };
  }

  private set(id: string, tenantId: TenantId, key: Buffer): void {
    const old = this.entries.get(id);
    if (old) this.remove(id, old);
    while (this.entries.size >= this.options.maxEntries) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      this.remove(oldestId, oldest);
    }
    this.entries.set(id, { tenantId, key, expiresAt: this.now() + this.options.ttlMs });
  }

  private remove(id: string, entry: Entry): void {
    this.entries.delete(id);
    entry.key.fill(0);
    this.counters.evictions++;
  }
}

const cacheKey = (tenantId: TenantId, version: number): string => `${tenantId}#${version}`;
