import { readFile, writeFile } from 'node:fs/promises';
import { type BitscanModule } from './bitscan-loader';
import { FlatIndex } from './flat-index';
import { HnswIndex } from './hnsw-index';
import { type HnswlibModule } from './hnswlib-loader';
import { IdTable, type IdTableData } from './id-table';
import { ScanIndex } from './scan-index';
import { type EngineParams, type IndexKind, type TenantVectorIndex } from './tenant-index';

export interface EngineTenantStats {
  kind: IndexKind;
  count: number;
  deleted: number;
  capacity: number;
  bytes: number;
  rebuilding: boolean;
}

export interface AddOutcome {
  added: number;
  skipped: number;
  stats: EngineTenantStats;
}

export interface SearchHits {
  faceIds: string[];
  similarities: Float32Array;
}

export interface SavedBody {
  kind: IndexKind;
  labels: number;
  count: number;
  deleted: number;
}

type Mutation = { type: 'add'; faceIds: string[]; vectors: Float32Array } | { type: 'remove'; faceIds: string[] };

interface Rebuild {
  readonly log: Mutation[];
  readonly target: TenantVectorIndex;
  cancelled: boolean;
  done: Promise<void>;
}

interface Entry {
  index: TenantVectorIndex;
  /** Mutations, saves and swaps run one after another; searches do not wait for them. */
  chain: Promise<unknown>;
  rebuild?: Rebuild;
  dropped: boolean;
}

export class EngineError extends Error {
  constructor(
    readonly code: 'tenant_not_loaded' | 'tenant_exists' | 'engine_failure',
    message: string,
  ) {
    super(message);
  }
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Every tenant index one worker thread holds, and the rules for changing them: per tenant, mutations
 * run in order, in time slices (params.sliceMs), so searches of every tenant get through between
 * slices. A flat tenant that outgrows params.exactScanMax (it moves to params.largeKind), and compaction, rebuild in the background:
 * the old index keeps serving (and taking mutations, which are logged and replayed) until the new one
 * replaces it. Plain class: the worker wraps it; tests and the bench use it directly.
 */
export class TenantEngine {
  private readonly tenants = new Map<string, Entry>();

  constructor(
    private readonly lib: HnswlibModule,
    readonly params: EngineParams,
    /** Required when params.largeKind is 'scan'. */
    private readonly bitscan?: BitscanModule,
  ) {
    if (params.largeKind === 'scan' && !bitscan) throw new Error('largeKind scan needs the bitscan addon');
  }

  has(tenantId: string): boolean {
    return this.tenants.has(tenantId);
  }

  /** An empty index: flat unless `kind` says otherwise (a load that knows it will exceed exactScanMax). */
  create(tenantId: string, kind: IndexKind = 'flat', capacity = 0): EngineTenantStats {
    if (this.tenants.has(tenantId)) throw new EngineError('tenant_exists', 'the tenant is already loaded');
    const index = this.newIndex(kind, capacity, new IdTable());
    const entry: Entry = { index, chain: Promise.resolve(), dropped: false };
    this.tenants.set(tenantId, entry);
    return this.describe(entry);
  }

  /** `vectors` holds faceIds.length unit vectors back to back. */
  add(tenantId: string, faceIds: string[], vectors: Float32Array): Promise<AddOutcome> {
    const entry = this.entry(tenantId);
    return this.enqueue(entry, async () => {
      entry.rebuild?.log.push({ type: 'add', faceIds, vectors });
      const { added, skipped } = await this.insertAll(entry, () => entry.index, faceIds, vectors);
      if (entry.index.kind === 'flat' && entry.index.ids.live > this.params.exactScanMax && !entry.rebuild) this.startRebuild(entry, this.params.largeKind);
      return { added, skipped, stats: this.describe(entry) };
    });
  }

  remove(tenantId: string, faceIds: string[]): Promise<{ removed: number; stats: EngineTenantStats }> {
    const entry = this.entry(tenantId);
    return this.enqueue(entry, async () => {
      entry.rebuild?.log.push({ type: 'remove', faceIds });
      let removed = 0;
      for (const faceId of faceIds) if (entry.index.remove(faceId)) removed++;
      return { removed, stats: this.describe(entry) };
    });
  }

  /**
   * Does not wait for queued mutations: a search sees every mutation that has resolved. A threshold
   * search (minSimilarity > 0) on HNSW that finds nothing above it is repeated at params.efSearchWide.
   */
  search(tenantId: string, query: Float32Array, k: number, minSimilarity = 0): SearchHits & { widened: boolean } {
    const entry = this.entry(tenantId);
    let { labels, distances } = entry.index.search(query, k, undefined, minSimilarity);
    const { efSearch, efSearchWide } = this.params;
    const widened = entry.index.kind === 'hnsw' && minSimilarity > 0 && efSearchWide > Math.max(efSearch, k) && !(labels.length > 0 && 1 - distances[0] >= minSimilarity);
    if (widened) ({ labels, distances } = entry.index.search(query, k, efSearchWide));
    const faceIds: string[] = [];
    const sims: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      const similarity = Math.min(1, Math.max(0, 1 - distances[i]));
      if (similarity < minSimilarity) break;
      faceIds.push(entry.index.ids.faceOf(labels[i]));
      sims.push(similarity);
    }
    return { faceIds, similarities: Float32Array.from(sims), widened };
  }

  stats(tenantId: string): EngineTenantStats | undefined {
    const entry = this.tenants.get(tenantId);
    return entry ? this.describe(entry) : undefined;
  }

  totalBytes(): number {
    let total = 0;
    for (const entry of this.tenants.values()) total += this.describe(entry).bytes;
    return total;
  }

  /** Forgets the tenant now; native memory is freed once its running operation (a save, a slice) ends. */
  async drop(tenantId: string): Promise<boolean> {
    const entry = this.tenants.get(tenantId);
    if (!entry) return false;
    this.tenants.delete(tenantId);
    entry.dropped = true;
    if (entry.rebuild) entry.rebuild.cancelled = true;
    await entry.chain.catch(() => undefined);
    await entry.rebuild?.done.catch(() => undefined);
    entry.index.release();
    return true;
  }

  /**
   * Writes `<base>.ids` (JSON IdTable) and `<base>.body` (the vectors) of the serving index. Mutations
   * wait until both are written, so the two agree.
   */
  save(tenantId: string, base: string): Promise<SavedBody> {
    const entry = this.entry(tenantId);
    return this.enqueue(entry, async () => {
      const index = entry.index;
      await index.writeBody(`${base}.body`);
      await writeFile(`${base}.ids`, JSON.stringify(index.ids.toData()), { mode: 0o600 });
      return { kind: index.kind, labels: index.ids.size, count: index.ids.live, deleted: index.ids.deleted.size };
    });
  }

  /** The inverse of save(): the tenant must not be loaded. */
  async load(tenantId: string, base: string, kind: IndexKind): Promise<EngineTenantStats> {
    if (this.tenants.has(tenantId)) throw new EngineError('tenant_exists', 'the tenant is already loaded');
    const ids = IdTable.fromData(JSON.parse(await readFile(`${base}.ids`, 'utf8')) as IdTableData);
    const body = `${base}.body`;
    const index = await this.loadIndex(kind, ids, body);
    if (this.tenants.has(tenantId)) {
      index.release();
      throw new EngineError('tenant_exists', 'the tenant was loaded meanwhile');
    }
    const entry: Entry = { index, chain: Promise.resolve(), dropped: false };
    this.tenants.set(tenantId, entry);
    // A snapshot of the other large kind (the setting changed) is converted too.
    if (ids.live > this.params.exactScanMax && index.kind !== this.params.largeKind) this.startRebuild(entry, this.params.largeKind);
    return this.describe(entry);
  }

  /**
   * Starts a rebuild without removed entries (HNSW, or flat when few faces are left). Returns false if
   * one is already running. `waitRebuild` resolves when it has replaced the index.
   */
  compact(tenantId: string): Promise<boolean> {
    const entry = this.entry(tenantId);
    return this.enqueue(entry, async () => {
      if (entry.rebuild) return false;
      this.startRebuild(entry, entry.index.ids.live <= this.params.exactScanMax ? 'flat' : this.params.largeKind);
      return true;
    });
  }

  async waitRebuild(tenantId: string): Promise<void> {
    for (let entry = this.tenants.get(tenantId); entry?.rebuild; entry = this.tenants.get(tenantId)) await entry.rebuild.done;
  }

  private startRebuild(entry: Entry, kind: IndexKind): void {
    const source = entry.index;
    const live = source.ids.liveEntries();
    const ids = new IdTable();
    for (const t of source.ids.tombstones) ids.tombstones.add(t);
    const capacity = Math.ceil(live.length * 1.1) + 64;
    const target = this.newIndex(kind, capacity, ids);
    const rebuild: Rebuild = { log: [], target, cancelled: false, done: Promise.resolve() };
    entry.rebuild = rebuild;
    rebuild.done = (async () => {
      await yieldNow();
      let deadline = performance.now() + this.params.sliceMs;
      for (const [faceId, label] of live) {
        if (rebuild.cancelled) break;
        // Removed since the rebuild started: the replayed log would remove it again anyway.
        if (source.ids.labelOf(faceId) !== label) continue;
        target.insert(faceId, source.vectorOf(label));
        if (performance.now() > deadline) {
          await yieldNow();
          deadline = performance.now() + this.params.sliceMs;
        }
      }
      if (rebuild.cancelled) {
        target.release();
        return;
      }
      // Replay what happened meanwhile, then swap, with mutations held off.
      await this.enqueue(entry, async () => {
        for (const m of rebuild.log) {
          if (rebuild.cancelled) break;
          if (m.type === 'add') await this.insertAll(entry, () => target, m.faceIds, m.vectors);
          else for (const faceId of m.faceIds) target.remove(faceId);
        }
        if (rebuild.cancelled) {
          target.release();
          return;
        }
        entry.index = target;
        entry.rebuild = undefined;
        source.release();
      });
    })().catch((err: unknown) => {
      // A failed rebuild leaves the serving index as it was.
      if (entry.rebuild === rebuild) entry.rebuild = undefined;
      target.release();
      console.error('[vector-index worker] rebuild failed:', (err as Error).message);
    });
  }

  private newIndex(kind: IndexKind, capacity: number, ids: IdTable): TenantVectorIndex {
    switch (kind) {
      case 'flat':
        return new FlatIndex(this.lib, this.params, ids, capacity);
      case 'scan':
        return new ScanIndex(this.requireBitscan(), this.params, ids, capacity);
      case 'hnsw':
        return HnswIndex.create(this.lib, this.params, capacity, ids);
    }
  }

  /** newIndex's counterpart for a snapshot body. */
  private loadIndex(kind: IndexKind, ids: IdTable, body: string): Promise<TenantVectorIndex> {
    switch (kind) {
      case 'hnsw':
        return HnswIndex.load(this.lib, this.params, ids, body);
      case 'scan':
        // A scan body is Float32 by label, as a flat one: without the addon it opens as flat (and converts).
        if (this.bitscan) return ScanIndex.load(this.bitscan, this.params, ids, body);
        return FlatIndex.load(this.lib, this.params, ids, body);
      case 'flat':
        return FlatIndex.load(this.lib, this.params, ids, body);
    }
  }

  private requireBitscan(): BitscanModule {
    if (!this.bitscan) throw new EngineError('engine_failure', 'the bitscan addon is not loaded in this worker (npm ci builds it)');
    return this.bitscan;
  }

  private async insertAll(
    entry: Entry,
    index: () => TenantVectorIndex,
    faceIds: string[],
    vectors: Float32Array,
  ): Promise<{ added: number; skipped: number }> {
    const dims = this.params.dims;
    let added = 0;
    let skipped = 0;
    let deadline = performance.now() + this.params.sliceMs;
    for (let i = 0; i < faceIds.length; i++) {
      if (entry.dropped) break;
      const target = index();
      if (!target.ids.accepts(faceIds[i])) {
        skipped++;
        continue;
      }
      target.insert(faceIds[i], vectors.subarray(i * dims, (i + 1) * dims));
      added++;
      if (performance.now() > deadline) {
        await yieldNow();
        deadline = performance.now() + this.params.sliceMs;
      }
    }
    return { added, skipped };
  }

  private enqueue<T>(entry: Entry, op: () => Promise<T>): Promise<T> {
    const run = entry.chain.then(() => {
      if (entry.dropped) throw new EngineError('tenant_not_loaded', 'the tenant was dropped');
      return op();
    });
    entry.chain = run.catch(() => undefined);
    return run;
  }

  private entry(tenantId: string): Entry {
    const entry = this.tenants.get(tenantId);
    if (!entry) throw new EngineError('tenant_not_loaded', 'the tenant is not loaded in this worker');
    return entry;
  }

  private describe(entry: Entry): EngineTenantStats {
    const index = entry.index;
    return {
      kind: index.kind,
      count: index.ids.live,
      deleted: index.ids.deleted.size,
      capacity: index.capacity(),
      bytes: index.bytes() + (entry.rebuild ? entry.rebuild.target.bytes() : 0),
      rebuilding: entry.rebuild !== undefined,
    };
  }
}
