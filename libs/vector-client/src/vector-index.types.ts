/** One face to index: its id (A-Za-z0-9._:-, 1-128 characters) and its embedding (any length-`dims` vector). */
export interface VectorEntry {
  readonly faceId: string;
  readonly vector: Float32Array;
  /** The row's sequence number in the database, when known: lets snapshots skip rows already indexed. */
  readonly seq?: number;
}

export interface SearchHit {
  readonly faceId: string;
  /** Cosine similarity (inner product of the L2-normalised vectors), clamped to 0..1. */
  readonly similarity: number;
}

export interface AddResult {
  /** Entries now searchable. */
  readonly added: number;
  /** Entries already in the index, or removed earlier (a late add never resurrects a deleted face). */
  readonly skipped: number;
  /**
   * Entries not applied now because the tenant is not loaded on its replica (or is loading): the
   * replica reads them from the database when it loads the tenant, so they are not lost.
   */
  readonly deferred: number;
}

export interface RemoveOptions {
  /**
   * Also guarantee, before the call resolves, that no stored snapshot of the tenant still holds the
   * removed vectors: the replica deletes every snapshot written before the removal (one being written
   * included) and writes a fresh scrubbed one later. A tenant not loaded on its replica is not loaded
   * for this: its snapshots are deleted (the next load rebuilds from the database).
   */
  readonly purgeSnapshots?: boolean;
}

export interface RemoveResult {
  /** Faces that were searchable in the loaded index and are not any more (unknown ids and unloaded tenants: 0). */
  readonly removed: number;
  /** Stored snapshots deleted by `purgeSnapshots` (0 without it). */
  readonly snapshotsDeleted: number;
}

export interface DropResult {
  /** Whether the tenant was loaded on the replica. */
  readonly dropped: boolean;
  readonly snapshotsDeleted: number;
}

export type TenantIndexState = 'absent' | 'loading' | 'ready';

export interface TenantIndexStats {
  readonly tenantId: string;
  /** The replica that owns the tenant (filled in by the client). */
  readonly replica: string;
  readonly state: TenantIndexState;
  /** `flat` (exact scan) for small tenants, `hnsw` above the replica's exact-scan limit. */
  readonly kind?: 'flat' | 'scan' | 'hnsw';
  /** Searchable faces. */
  readonly count: number;
  /** Mark-deleted entries still holding space until the next compaction. */
  readonly deleted: number;
  readonly capacity: number;
  /** Estimated memory of the tenant's index. */
  readonly bytes: number;
  /** A background rebuild (compaction or flat→hnsw promotion) is running. */
  readonly rebuilding: boolean;
  readonly snapshotId?: string;
  readonly watermarkSeq: number;
  /** Changed since the last snapshot. */
  readonly dirty: boolean;
  /** Which hnswlib build the replica runs. */
  readonly hnswlib: 'simd' | 'portable';
}
