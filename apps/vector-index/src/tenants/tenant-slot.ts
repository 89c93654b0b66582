import { type TenantId } from '@app/contracts';
import { type EngineTenantStats } from '../engine/tenant-engine';
import { type PackedBatch } from './vector-input';

/** What the main thread knows about one tenant index held by a worker. */
export interface TenantSlot {
  readonly tenantId: TenantId;
  state: 'loading' | 'ready';
  /** Settles (never rejects) when the load ends, either way; `loadError` tells which. */
  loaded: Promise<void>;
  loadError?: unknown;
  lastUsed: number;
  /** Latest figures the worker reported. */
  stats?: EngineTenantStats;
  /** Highest database seq offered to the index (rows above it are read at the next load or pass). */
  watermarkSeq: number;
  snapshotId?: string;
  lastSnapshotAt: number;
  /** Counts changes; the index is dirty while it differs from `savedMutations`. */
  mutations: number;
  savedMutations: number;
  /** Adds that arrived while the tenant was loading, applied (deduplicated) before it serves. */
  pendingAdds: PackedBatch[];
  /** Snapshot, compaction and eviction of this tenant run one after another. */
  maintenance: Promise<void>;
  /** Dropped, evicted or lost: no longer in the map; work in flight stops at its next step. */
  dropped: boolean;
  evicting: boolean;
  deletionSnapshotTimer?: NodeJS.Timeout;
  /**
   * Bumped (inside the snapshot gate) each time the tenant's stored snapshots are purged: a snapshot
   * whose write began before a purge was deleted by it and must not be taken as the one in force.
   */
  purgeEpoch: number;
}

export const isDirty = (slot: TenantSlot): boolean => slot.mutations !== slot.savedMutations;
