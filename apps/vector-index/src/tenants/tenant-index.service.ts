import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { type TenantId } from '@app/contracts';
import { SnapshotCryptoService } from '@app/crypto';
import { BLOB_STORE, type BlobStore } from '@app/storage';
import { EMBEDDING_SOURCE, type EmbeddingSource, type SourceEmbedding } from '../embedding-source';
import { startIndexRuntime, type IndexRuntime } from '../engine/index-runtime';
import { WorkerCallError } from '../engine/index-worker-pool';
import { type IndexKind } from '../engine/tenant-index';
import { ScratchDir } from '../snapshot/scratch-dir';
import { SnapshotStore } from '../snapshot/snapshot-store';
import { IndexServiceError, IndexServiceErrorCode } from '../vector-index.error';
import { VECTOR_INDEX_OPTIONS, type VectorIndexOptions } from '../vector-index.options';
import { type TenantSlot, isDirty } from './tenant-slot';
import { normalizeQuery, packEntries, type PackedBatch } from './vector-input';

export interface SearchHit {
  faceId: string;
  similarity: number;
}

export interface TenantStatsView {
  tenantId: string;
  state: 'absent' | 'loading' | 'ready';
  kind?: IndexKind;
  count: number;
  deleted: number;
  capacity: number;
  bytes: number;
  rebuilding: boolean;
  snapshotId?: string;
  watermarkSeq: number;
  dirty: boolean;
  hnswlib: 'simd' | 'portable';
}

/** Thrown inside a load when its tenant was dropped meanwhile: the load just stops. */
class LoadAborted extends Error {}

export interface RemoveOutcome {
  removed: number;
  /** Stored snapshots deleted because they were written before the removal (purgeSnapshots only). */
  snapshotsDeleted: number;
}

/** Bounds of the ids remembered for tenants not loaded here (see rememberRemoved). */
const MAX_REMEMBERED_TENANTS = 10_000;
const MAX_REMEMBERED_IDS = 100_000;

const isNotLoaded = (err: unknown): boolean => err instanceof WorkerCallError && err.code === 'tenant_not_loaded';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The per-tenant index lifecycle on one replica. A tenant is loaded on first search (or removal) from
 * its latest encrypted snapshot plus newer database rows, or built from the database; adds for a tenant
 * that is not loaded are left to the database (read at load). Loaded tenants live in an LRU under
 * config.vectorIndex.memoryBudgetBytes: the least recently used are snapshotted (if changed) and
 * dropped. Periodically each loaded tenant is caught up with the database (healing adds that never
 * arrived), compacted when many entries are mark-deleted, and snapshotted if it changed; older
 * snapshots are then deleted. The database stays the source of truth: a crash loses nothing.
 */
@Injectable()
export class TenantIndexService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('VectorIndex');
  private readonly slots = new Map<string, TenantSlot>();
  private readonly snapshots: SnapshotStore;
  private runtime?: IndexRuntime;
  private scratch?: ScratchDir;
  private timer?: NodeJS.Timeout;
  private tickRunning?: Promise<void>;
  /** One snapshot at a time per process: each needs scratch space the size of its index. */
  private snapshotGate: Promise<unknown> = Promise.resolve();
  private readonly removedWhileUnloaded = new Map<string, Set<string>>();
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(VECTOR_INDEX_OPTIONS) private readonly options: VectorIndexOptions,
    @Inject(EMBEDDING_SOURCE) private readonly source: EmbeddingSource,
    @Inject(BLOB_STORE) blobs: BlobStore,
    crypto: SnapshotCryptoService,
  ) {
    this.snapshots = new SnapshotStore(blobs, crypto);
  }

  async onModuleInit(): Promise<void> {
    this.scratch = ScratchDir.create(this.options.scratchDir);
    this.runtime = await startIndexRuntime(this.options, this.logger, (worker) => this.forgetWorker(worker));
    if (this.options.snapshotIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.tickRunning ??= this.maintainAll().finally(() => (this.tickRunning = undefined));
      }, this.options.snapshotIntervalMs);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const slot of this.slots.values()) {
      slot.dropped = true;
      if (slot.deletionSnapshotTimer) clearTimeout(slot.deletionSnapshotTimer);
    }
    await this.runtime?.pool.close();
    // Snapshots in flight end with the pool; wait for them so the scratch files can go.
    await Promise.allSettled([...this.slots.values()].map((s) => s.maintenance));
    this.slots.clear();
    this.scratch?.close();
  }

  get ready(): boolean {
    return !this.closed && this.runtime !== undefined;
  }

  get hnswlibBuild(): 'simd' | 'portable' {
    return this.runtime?.hnswlib.build ?? 'portable';
  }

  // ---- requests -------------------------------------------------------------------------------------

  async add(tenantId: TenantId, entries: readonly { faceId: string; vector: Float32Array; seq?: number }[]): Promise<{ added: number; skipped: number; deferred: number }> {
    const batch = packEntries(entries, this.options.dims, true);
    const slot = this.slots.get(tenantId);
    if (!slot || slot.dropped || slot.evicting) return { added: 0, skipped: 0, deferred: batch.faceIds.length };
    if (slot.state === 'loading') {
      slot.pendingAdds.push(batch);
      return { added: 0, skipped: 0, deferred: batch.faceIds.length };
    }
    try {
      const r = await this.applyAdd(slot, batch);
      this.enforceBudget(slot);
      return { added: r.added, skipped: r.skipped, deferred: 0 };
    } catch (err) {
      // Evicted or lost meanwhile: the rows are in the database, read at the next load.
      if (err instanceof WorkerCallError && err.code === 'tenant_not_loaded') return { added: 0, skipped: 0, deferred: batch.faceIds.length };
      throw this.wrap(err);
    }
  }

  /**
   * Mark-deletes the faces (unsearchable on return; unknown ids are tombstoned, so a late add is ignored).
   * With `purgeSnapshots`, the answer also means that no stored snapshot of the tenant holds them: every
   * snapshot written before the removal (one being written included) is deleted, and a fresh scrubbed one
   * follows later. A tenant not loaded here is not loaded for it: its snapshots are deleted and the ids
   * remembered until it loads (the database, which no longer has the rows, rebuilds it).
   */
  async remove(tenantId: TenantId, faceIds: readonly string[], options: { purgeSnapshots?: boolean } = {}): Promise<RemoveOutcome> {
    const purge = options.purgeSnapshots === true;
    for (let attempt = 0; ; attempt++) {
      let slot = this.slots.get(tenantId);
      if (!slot || (purge && slot.dropped)) {
        if (purge) return this.purgeUnloaded(tenantId, faceIds);
        // Not loaded: the database no longer has them (or soon will not); only a snapshot could bring them back.
        if ((await this.snapshots.latest(tenantId)) === undefined) {
          this.rememberRemoved(tenantId, faceIds);
          return { removed: 0, snapshotsDeleted: 0 };
        }
        slot = this.slots.get(tenantId) ?? this.startLoad(tenantId);
      }
      try {
        return await this.removeLoaded(slot, faceIds, purge);
      } catch (err) {
        // Evicted or lost between the lookup and the removal: with a purge, the unloaded path is complete.
        if (purge && attempt < 2 && (slot.dropped || isNotLoaded(err))) continue;
        throw this.wrap(err);
      }
    }
  }

  private async removeLoaded(slot: TenantSlot, faceIds: readonly string[], purge: boolean): Promise<RemoveOutcome> {
    const ready = await this.waitReady(slot, this.options.removeLoadWaitMs);
    // Counted before the worker applies it: a snapshot started from now on (eviction's last one included)
    // is queued behind this removal in the worker, so no snapshot that claims to be current misses it.
    ready.mutations++;
    const r = await this.pool.call({ op: 'remove', tenantId: ready.tenantId, faceIds: [...faceIds] });
    ready.stats = r.stats;
    this.scheduleDeletionSnapshot(ready);
    if (!purge) return { removed: r.removed, snapshotsDeleted: 0 };
    const snapshotsDeleted = await this.purgeSnapshots(ready);
    this.logger.log({ msg: 'tenant snapshots purged after removal', tenantId: ready.tenantId, removed: r.removed, snapshotsDeleted });
    return { removed: r.removed, snapshotsDeleted };
  }

  /**
   * Deletes every stored snapshot of a loaded tenant, after any snapshot write already queued (the gate
   * runs one at a time, in order): those were written before the removal and may hold its vectors. Every
   * snapshot started later is saved by the worker after the removal (scrubbed). The slot is left dirty
   * with no snapshot in force, so the deletion timer (or the periodic pass) writes a fresh one.
   */
  private async purgeSnapshots(slot: TenantSlot): Promise<number> {
    const deleted = await this.gate(async () => {
      slot.purgeEpoch++;
      slot.snapshotId = undefined;
      slot.mutations++;
      return this.snapshots.deleteAll(slot.tenantId);
    });
    this.scheduleDeletionSnapshot(slot);
    return deleted;
  }

  /** Purge for a tenant not loaded here: delete its snapshots (after any write in flight) without loading it. */
  private async purgeUnloaded(tenantId: TenantId, faceIds: readonly string[]): Promise<RemoveOutcome> {
    // Remembered first: a load that starts meanwhile applies them before it serves.
    this.rememberRemoved(tenantId, faceIds);
    const snapshotsDeleted = await this.gate(() => this.snapshots.deleteAll(tenantId)).catch((err: unknown) => {
      throw this.wrap(err);
    });
    this.logger.log({ msg: 'tenant snapshots purged after removal', tenantId, loaded: false, snapshotsDeleted });
    return { removed: 0, snapshotsDeleted };
  }

  /**
   * Face ids removed while their tenant was not loaded here, applied (as tombstones) when it next loads,
   * so an add that reaches a loading tenant late cannot bring one back. Bounded: the gateway's database
   * lookup still filters what falls out.
   */
  private rememberRemoved(tenantId: TenantId, faceIds: readonly string[]): void {
    let ids = this.removedWhileUnloaded.get(tenantId);
    if (!ids) {
      ids = new Set();
      this.removedWhileUnloaded.set(tenantId, ids);
      if (this.removedWhileUnloaded.size > MAX_REMEMBERED_TENANTS) {
        this.removedWhileUnloaded.delete(this.removedWhileUnloaded.keys().next().value!);
      }
    }
    for (const faceId of faceIds) {
      ids.delete(faceId);
      ids.add(faceId);
    }
    for (const oldest of ids) {
      if (ids.size <= MAX_REMEMBERED_IDS) break;
      ids.delete(oldest);
    }
  }

  async search(tenantId: TenantId, vector: Float32Array, k: number, minSimilarity = 0): Promise<SearchHit[]> {
    const query = normalizeQuery(vector, this.options.dims);
    const slot = await this.waitReady(this.slots.get(tenantId) ?? this.startLoad(tenantId), this.options.loadWaitMs);
    slot.lastUsed = Date.now();
    try {
      const r = await this.pool.call({ op: 'search', tenantId, vector: query, k, minSimilarity }, [query.buffer as ArrayBuffer]);
      return r.faceIds.map((faceId, i) => ({ faceId, similarity: Math.round(r.similarities[i] * 1e6) / 1e6 }));
    } catch (err) {
      throw this.wrap(err);
    }
  }

  stats(tenantId: TenantId): TenantStatsView {
    const slot = this.slots.get(tenantId);
    const s = slot?.stats;
    return {
      tenantId,
      state: slot ? slot.state : 'absent',
      kind: s?.kind,
      count: s?.count ?? 0,
      deleted: s?.deleted ?? 0,
      capacity: s?.capacity ?? 0,
      bytes: s?.bytes ?? 0,
      rebuilding: s?.rebuilding ?? false,
      snapshotId: slot?.snapshotId,
      watermarkSeq: slot?.watermarkSeq ?? 0,
      dirty: slot ? isDirty(slot) : false,
      hnswlib: this.hnswlibBuild,
    };
  }

  /** Fresh stats from the worker (tests, maintenance). */
  async refreshStats(tenantId: TenantId): Promise<TenantStatsView> {
    const slot = this.slots.get(tenantId);
    if (slot?.state === 'ready') {
      const s = await this.pool.call({ op: 'stats', tenantId }).catch(() => null);
      if (s) slot.stats = s;
    }
    return this.stats(tenantId);
  }

  /** Forgets the tenant here and deletes its snapshots (tenant deletion). */
  async dropTenant(tenantId: TenantId): Promise<{ dropped: boolean; snapshotsDeleted: number }> {
    this.removedWhileUnloaded.delete(tenantId);
    const slot = this.slots.get(tenantId);
    if (slot) {
      slot.dropped = true;
      this.slots.delete(tenantId);
      if (slot.deletionSnapshotTimer) clearTimeout(slot.deletionSnapshotTimer);
      // Cancels a running rebuild; a snapshot being written ends, then finds the tenant dropped.
      await this.pool.call({ op: 'drop', tenantId }).catch(() => false);
      await slot.maintenance.catch(() => undefined);
      await slot.loaded;
    }
    const snapshotsDeleted = await this.snapshots.deleteAll(tenantId).catch((err: unknown) => {
      throw this.wrap(err);
    });
    this.logger.log({ msg: 'tenant index dropped', tenantId, wasLoaded: slot !== undefined, snapshotsDeleted });
    return { dropped: slot !== undefined, snapshotsDeleted };
  }

  /** Writes a snapshot now if the tenant is loaded; returns the snapshot id in force. */
  async snapshotNow(tenantId: TenantId): Promise<{ snapshotId: string | null }> {
    const slot = this.slots.get(tenantId);
    if (!slot || slot.state !== 'ready') return { snapshotId: (await this.snapshots.latest(tenantId)) ?? null };
    await this.inMaintenance(slot, () => this.writeSnapshot(slot, 'requested'));
    return { snapshotId: slot.snapshotId ?? null };
  }

  /** Starts a rebuild without mark-deleted entries; a snapshot follows when it is done. */
  async compact(tenantId: TenantId): Promise<{ started: boolean }> {
    const slot = this.slots.get(tenantId);
    if (!slot || slot.state !== 'ready' || slot.dropped) return { started: false };
    const started = await this.pool.call({ op: 'compact', tenantId }).catch((err: unknown) => {
      throw this.wrap(err);
    });
    if (started) void this.inMaintenance(slot, () => this.finishCompaction(slot)).catch(() => undefined);
    return { started };
  }

  /** Resolves when background work (loads, rebuilds, snapshots) for the tenant is done. For tests and the bench. */
  async settle(tenantId: TenantId): Promise<void> {
    for (;;) {
      const slot = this.slots.get(tenantId);
      if (!slot) return;
      await slot.loaded;
      if (slot.deletionSnapshotTimer) {
        await sleep(10);
        continue;
      }
      const maintenance = slot.maintenance;
      await maintenance;
      if (slot.state === 'ready' && !slot.dropped) await this.pool.call({ op: 'waitRebuild', tenantId }).catch(() => null);
      if (slot.maintenance === maintenance) return;
    }
  }

  /** Runs the periodic maintenance pass now (tests). */
  async maintainAll(): Promise<void> {
    for (const slot of [...this.slots.values()]) {
      if (this.closed) return;
      if (slot.state !== 'ready' || slot.dropped || slot.evicting) continue;
      await this.inMaintenance(slot, () => this.maintain(slot)).catch((err: unknown) => {
        this.logger.warn({ msg: 'tenant index maintenance failed', tenantId: slot.tenantId, error: describe(err) });
      });
    }
  }

  // ---- loading --------------------------------------------------------------------------------------

  private get pool() {
    if (!this.runtime || this.closed) throw new IndexServiceError(IndexServiceErrorCode.Unavailable, 'the vector index is not running');
    return this.runtime.pool;
  }

  private startLoad(tenantId: TenantId): TenantSlot {
    if (this.closed) throw new IndexServiceError(IndexServiceErrorCode.Unavailable, 'the vector index is shutting down');
    const slot: TenantSlot = {
      tenantId,
      state: 'loading',
      loaded: Promise.resolve(),
      lastUsed: Date.now(),
      watermarkSeq: 0,
      lastSnapshotAt: 0,
      mutations: 0,
      savedMutations: 0,
      pendingAdds: [],
      maintenance: Promise.resolve(),
      dropped: false,
      evicting: false,
      purgeEpoch: 0,
    };
    this.slots.set(tenantId, slot);
    slot.loaded = this.load(slot).catch((err: unknown) => {
      if (this.slots.get(tenantId) === slot) this.slots.delete(tenantId);
      if (!slot.dropped) {
        slot.loadError = err;
        this.logger.error({ msg: 'tenant index load failed', tenantId, error: describe(err) });
      }
      // The worker may hold a half-built index: drop it (it is not in the map any more).
      if (!this.closed) void this.pool.call({ op: 'drop', tenantId }).catch(() => undefined);
    });
    return slot;
  }

  private async waitReady(slot: TenantSlot, waitMs: number): Promise<TenantSlot> {
    if (slot.state === 'loading') await Promise.race([slot.loaded, sleep(waitMs)]);
    if (slot.loadError !== undefined) throw this.wrap(slot.loadError);
    if (slot.dropped) throw new IndexServiceError(IndexServiceErrorCode.TenantLoading, 'the tenant index is being reloaded; retry shortly');
    if (slot.state === 'loading') throw new IndexServiceError(IndexServiceErrorCode.TenantLoading, 'the tenant index is loading; retry shortly');
    return slot;
  }

  private async load(slot: TenantSlot): Promise<void> {
    const started = Date.now();
    const { tenantId } = slot;
    let from: 'snapshot' | 'database' = 'database';
    const latest = await this.snapshots.latest(tenantId);
    this.checkAlive(slot);
    if (latest) {
      try {
        const header = await this.restore(slot, latest);
        slot.snapshotId = latest;
        slot.watermarkSeq = header.watermarkSeq;
        slot.lastSnapshotAt = Date.now();
        from = 'snapshot';
      } catch (err) {
        if (err instanceof LoadAborted) throw err;
        // A snapshot that cannot be opened (corrupt, key destroyed, other dims) is replaced by a rebuild.
        this.logger.error({ msg: 'tenant snapshot unusable, rebuilding from the database', tenantId, snapshotId: latest, error: describe(err) });
        await this.pool.call({ op: 'drop', tenantId }).catch(() => undefined);
      }
    }
    this.checkAlive(slot);
    if (from === 'snapshot') await this.catchUp(slot, Math.max(0, slot.watermarkSeq - this.options.catchUpLookbackSeq));
    else await this.buildFromSource(slot);
    while (slot.pendingAdds.length > 0) {
      this.checkAlive(slot);
      await this.applyAdd(slot, slot.pendingAdds.shift()!);
    }
    await this.applyRemembered(slot);
    this.checkAlive(slot);
    slot.state = 'ready';
    slot.lastUsed = Date.now();
    // Built from rows (or caught up past the snapshot): worth a snapshot at the next pass.
    if (from === 'database' || slot.mutations > 0) slot.mutations++;
    this.logger.log({ msg: 'tenant index loaded', tenantId, from, kind: slot.stats?.kind, faces: slot.stats?.count ?? 0, ms: Date.now() - started });
    this.enforceBudget(slot);
  }

  /** Removals that arrived while the tenant was not loaded here (purges): tombstoned before it serves. */
  private async applyRemembered(slot: TenantSlot): Promise<void> {
    const ids = this.removedWhileUnloaded.get(slot.tenantId);
    if (!ids || ids.size === 0) return;
    this.checkAlive(slot);
    this.removedWhileUnloaded.delete(slot.tenantId);
    try {
      const r = await this.pool.call({ op: 'remove', tenantId: slot.tenantId, faceIds: [...ids] });
      slot.stats = r.stats;
      slot.mutations++;
    } catch (err) {
      this.rememberRemoved(slot.tenantId, [...ids]);
      throw err;
    }
  }

  private async restore(slot: TenantSlot, snapshotId: string) {
    const base = this.scratch!.file(`load-${slot.tenantId}`);
    try {
      return await this.gate(async () => {
        const header = await this.snapshots.read(slot.tenantId, snapshotId, base);
        if (header.dims !== this.options.dims) throw new Error(`the snapshot holds ${header.dims}-d vectors, this replica ${this.options.dims}`);
        this.checkAlive(slot);
        slot.stats = await this.pool.call({ op: 'load', tenantId: slot.tenantId, base, kind: header.kind });
        this.checkAlive(slot);
        return header;
      });
    } finally {
      await this.scratch!.remove(base);
    }
  }

  /** A fresh index from every row: flat unless more than exactScanMax rows arrive before the end. */
  private async buildFromSource(slot: TenantSlot): Promise<void> {
    let buffered: SourceEmbedding[] = [];
    let created = false;
    for await (const rows of this.source.streamSince(slot.tenantId, 0, this.options.sourceBatchSize)) {
      this.checkAlive(slot);
      if (created) {
        await this.addRows(slot, rows);
        continue;
      }
      buffered = buffered.concat(rows);
      if (buffered.length > this.options.exactScanMax) {
        slot.stats = await this.pool.call({ op: 'create', tenantId: slot.tenantId, kind: this.runtime!.params.largeKind, capacity: buffered.length * 4 });
        created = true;
        await this.addRows(slot, buffered);
        buffered = [];
      }
    }
    this.checkAlive(slot);
    if (!created) {
      slot.stats = await this.pool.call({ op: 'create', tenantId: slot.tenantId, kind: 'flat', capacity: buffered.length });
      await this.addRows(slot, buffered);
    }
  }

  /** Offers rows with seq > afterSeq to the loaded index (duplicates are skipped by the worker). */
  private async catchUp(slot: TenantSlot, afterSeq: number): Promise<number> {
    let added = 0;
    for await (const rows of this.source.streamSince(slot.tenantId, afterSeq, this.options.sourceBatchSize)) {
      this.checkAlive(slot);
      added += await this.addRows(slot, rows);
    }
    return added;
  }

  private async addRows(slot: TenantSlot, rows: readonly SourceEmbedding[]): Promise<number> {
    if (rows.length === 0) return 0;
    const batch = packEntries(rows, this.options.dims, false);
    if (batch.rejected > 0) this.logger.warn({ msg: 'database rows with unusable embeddings left out', tenantId: slot.tenantId, rows: batch.rejected });
    let seqMax = 0;
    for (const r of rows) if (r.seq > seqMax) seqMax = r.seq;
    const r = await this.applyAdd(slot, { ...batch, seqMax });
    return r.added;
  }

  private async applyAdd(slot: TenantSlot, batch: PackedBatch): Promise<{ added: number; skipped: number }> {
    if (batch.faceIds.length === 0) return { added: 0, skipped: 0 };
    const r = await this.pool.call({ op: 'add', tenantId: slot.tenantId, faceIds: batch.faceIds, vectors: batch.vectors }, [batch.vectors.buffer as ArrayBuffer]);
    slot.stats = r.stats;
    if (batch.seqMax > slot.watermarkSeq) slot.watermarkSeq = batch.seqMax;
    if (r.added > 0) slot.mutations++;
    return r;
  }

  private checkAlive(slot: TenantSlot): void {
    if (slot.dropped || this.closed) throw new LoadAborted('tenant dropped while loading');
  }

  // ---- maintenance ----------------------------------------------------------------------------------

  private async maintain(slot: TenantSlot): Promise<void> {
    const maxSeq = await this.source.maxSeq(slot.tenantId);
    if (maxSeq > slot.watermarkSeq) {
      const healed = await this.catchUp(slot, Math.max(0, slot.watermarkSeq - this.options.catchUpLookbackSeq));
      if (healed > 0) this.logger.log({ msg: 'tenant index caught up with the database', tenantId: slot.tenantId, added: healed });
      if (maxSeq > slot.watermarkSeq) slot.watermarkSeq = maxSeq;
    }
    const s = slot.stats;
    if (s && !s.rebuilding && s.deleted >= this.options.minCompactDeleted && s.deleted > this.options.compactDeletedRatio * (s.count + s.deleted)) {
      if (await this.pool.call({ op: 'compact', tenantId: slot.tenantId })) {
        await this.finishCompaction(slot);
        return;
      }
    }
    if (isDirty(slot)) await this.writeSnapshot(slot, 'periodic');
  }

  private async finishCompaction(slot: TenantSlot): Promise<void> {
    const before = slot.stats;
    await this.pool.call({ op: 'waitRebuild', tenantId: slot.tenantId });
    if (slot.dropped) return;
    const after = await this.pool.call({ op: 'stats', tenantId: slot.tenantId });
    if (after) slot.stats = after;
    slot.mutations++;
    this.logger.log({ msg: 'tenant index compacted', tenantId: slot.tenantId, removed: before?.deleted ?? 0, faces: after?.count ?? 0 });
    await this.writeSnapshot(slot, 'compaction');
  }

  private scheduleDeletionSnapshot(slot: TenantSlot): void {
    if (slot.deletionSnapshotTimer || this.closed) return;
    slot.deletionSnapshotTimer = setTimeout(() => {
      slot.deletionSnapshotTimer = undefined;
      if (slot.dropped || !isDirty(slot)) return;
      void this.inMaintenance(slot, () => this.writeSnapshot(slot, 'deletion')).catch((err: unknown) => {
        this.logger.warn({ msg: 'snapshot after deletion failed; retried at the next pass', tenantId: slot.tenantId, error: describe(err) });
      });
    }, this.options.deletionSnapshotDelayMs);
    slot.deletionSnapshotTimer.unref();
  }

  /**
   * Seals the loaded index into a new snapshot, then deletes the older ones. A snapshot of an hnsw
   * index carries removed faces' ids but not their vectors (zeroed on the way).
   */
  private async writeSnapshot(slot: TenantSlot, reason: string): Promise<void> {
    if (slot.dropped || slot.state !== 'ready' || this.closed) return;
    const started = Date.now();
    const mutationsAtStart = slot.mutations;
    const watermarkSeq = slot.watermarkSeq;
    const snapshotId = SnapshotStore.newId();
    const base = this.scratch!.file(`save-${slot.tenantId}`);
    let purgeEpoch = slot.purgeEpoch;
    const header = await this.gate(async () => {
      purgeEpoch = slot.purgeEpoch;
      try {
        const saved = await this.pool.call({ op: 'save', tenantId: slot.tenantId, base });
        const o = this.options;
        return await this.snapshots.write(slot.tenantId, snapshotId, base, {
          kind: saved.kind,
          dims: o.dims,
          m: o.m,
          efConstruction: o.efConstruction,
          labels: saved.labels,
          count: saved.count,
          deleted: saved.deleted,
          watermarkSeq,
          createdAt: new Date().toISOString(),
        });
      } finally {
        await this.scratch!.remove(base);
      }
    });
    if (slot.dropped || slot.purgeEpoch !== purgeEpoch) {
      // Dropped while writing: the tenant's snapshots are being deleted; this one must not survive it.
      // Purged after it was written: it is gone (and may hold removed vectors); the slot stays dirty.
      await this.snapshots.delete(slot.tenantId, snapshotId).catch(() => undefined);
      return;
    }
    slot.snapshotId = snapshotId;
    slot.savedMutations = mutationsAtStart;
    slot.lastSnapshotAt = Date.now();
    for (const old of await this.snapshots.list(slot.tenantId)) {
      if (old < snapshotId) await this.snapshots.delete(slot.tenantId, old);
    }
    this.logger.log({
      msg: 'tenant snapshot written',
      tenantId: slot.tenantId,
      snapshotId,
      reason,
      kind: header.kind,
      faces: header.count,
      bytes: header.idsBytes + header.bodyBytes,
      ms: Date.now() - started,
    });
  }

  /** Evicts least recently used tenants (snapshotting changed ones first) until the loaded ones fit. */
  private enforceBudget(keep: TenantSlot): void {
    const budget = this.config.vectorIndex.memoryBudgetBytes;
    let total = 0;
    for (const s of this.slots.values()) if (!s.evicting) total += s.stats?.bytes ?? 0;
    if (total <= budget) return;
    const candidates = [...this.slots.values()]
      .filter((s) => s !== keep && s.state === 'ready' && !s.evicting && !s.dropped)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const victim of candidates) {
      if (total <= budget) break;
      total -= victim.stats?.bytes ?? 0;
      this.evict(victim);
    }
    if (total > budget) {
      this.logger.warn({ msg: 'loaded tenant indexes exceed the memory budget', bytes: total, budget, tenantId: keep.tenantId });
    }
  }

  private evict(slot: TenantSlot): void {
    slot.evicting = true;
    void this.inMaintenance(slot, async () => {
      // Removals may land while the snapshot is written: write again until one covers them all.
      for (let i = 0; isDirty(slot) && !slot.dropped; i++) {
        if (i === 3) throw new Error('the tenant keeps changing; eviction postponed');
        await this.writeSnapshot(slot, 'eviction');
      }
      if (slot.dropped) return;
      slot.dropped = true;
      if (slot.deletionSnapshotTimer) clearTimeout(slot.deletionSnapshotTimer);
      if (this.slots.get(slot.tenantId) === slot) this.slots.delete(slot.tenantId);
      await this.pool.call({ op: 'drop', tenantId: slot.tenantId });
      this.logger.log({ msg: 'tenant index evicted', tenantId: slot.tenantId, bytes: slot.stats?.bytes ?? 0 });
    }).catch((err: unknown) => {
      // Could not snapshot (storage or KMS down): keep serving it, try again later.
      slot.evicting = false;
      this.logger.warn({ msg: 'tenant index eviction failed', tenantId: slot.tenantId, error: describe(err) });
    });
  }

  /** A worker died: its tenants are gone from memory; they reload on next use. */
  private forgetWorker(worker: number): void {
    const pool = this.runtime?.pool;
    if (!pool) return;
    let lost = 0;
    for (const [tenantId, slot] of this.slots) {
      if (pool.workerOf(tenantId) !== worker) continue;
      slot.dropped = true;
      this.slots.delete(tenantId);
      lost++;
    }
    this.logger.error({ msg: 'an index worker died; its tenants will reload on next use', worker, tenants: lost });
  }

  private inMaintenance(slot: TenantSlot, task: () => Promise<void>): Promise<void> {
    const run = slot.maintenance.then(task);
    slot.maintenance = run.catch(() => undefined);
    return run;
  }

  private gate<T>(task: () => Promise<T>): Promise<T> {
    const run = this.snapshotGate.then(task);
    this.snapshotGate = run.catch(() => undefined);
    return run;
  }

  private wrap(err: unknown): Error {
    if (err instanceof IndexServiceError) return err;
    if (err instanceof WorkerCallError && err.code === 'tenant_not_loaded') {
      return new IndexServiceError(IndexServiceErrorCode.TenantLoading, 'the tenant index is being reloaded; retry shortly');
    }
    const kind = (err as { kind?: unknown } | null)?.kind;
    if (kind === 'unavailable') return new IndexServiceError(IndexServiceErrorCode.Unavailable, 'a dependency of the vector index is unavailable', { cause: err });
    return new IndexServiceError(IndexServiceErrorCode.Failure, 'the vector index failed', { cause: err });
  }
}

/** An error for the log: name, code and message (ours and the SDKs' carry no vectors). */
function describe(err: unknown): { name?: string; code?: string; message?: string } {
  const e = err as { name?: string; code?: string; message?: string } | null;
  return { name: e?.name, code: e?.code, message: e?.message };
}
