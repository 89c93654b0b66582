import { Injectable, Logger } from '@nestjs/common';
import { JobName, type TenantId } from '@app/contracts';
import { type AuditActor, AuditAction, AuditService } from '@app/audit';
import { EnvelopeService } from '@app/crypto';
import { modelKey, TransientUploadStore } from '@app/indexing';
import { type CancelledIndexJob, DeletionRepository, type ErasedFace, FaceErasureRepository, type FaceSelector, TenantDb } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { VectorIndexClient } from '@app/vector-client';

/** Searches made per erased batch to measure `verified.searchable`; small scopes are checked in full. */
export const VERIFY_PER_BATCH = 256;
// Neighbours looked at per verification search: an erased face still in the index would be the first.
const VERIFY_K = 10;
const VERIFY_MIN_SIMILARITY = 0.5;
// The vector index takes removals in bounded requests.
const REMOVE_CHUNK = 5_000;

export interface EraseBatchInput {
  tenantId: TenantId;
  deletionId: string;
  selector: FaceSelector;
  actor: AuditActor;
  requestId: string | null;
  /**
   * Whose deletion generation to bump (so their in-flight index jobs write nothing) and whose open
   * index jobs to cancel: the selected faces' assets, every asset of the tenant, or none (later
   * batches of a purge whose first batch did it; retention, which lets fresh re-indexing through).
   */
  assets: 'selected' | 'all' | 'none';
  /** Erased embeddings searched for afterwards, at most (default VERIFY_PER_BATCH). */
  verifyAtMost?: number;
  auditAction: AuditAction;
  auditTarget: { type: string; id: string | null };
}

export interface EraseBatchOutcome {
  faces: number;
  indexEntries: number;
  snapshotsRewritten: number;
  jobsCancelled: number;
  transientUploads: number;
  /** Erased embeddings searched for after the erasure, and how many of them the index still returned. */
  checked: number;
  searchable: number | null;
}

/**
 * One erasure step of the Face Data Delete API, shared by every scope. In one Postgres transaction:
 * the assets' deletion generations are bumped (an indexing job in flight for them can no longer write),
 * the faces and their sealed embeddings are deleted, open index jobs are cancelled, the faces are
 * mark-deleted in the vector index with every snapshot that held them deleted, and the step is added to
 * the receipt and the audit log. If the index cannot be reached the transaction rolls back: nothing
 * was deleted and the caller may retry (503). After the commit, the erased embeddings are searched for
 * in the index (they were decrypted for this only, and are zeroed afterwards).
 */
@Injectable()
export class FaceEraser {
  private readonly logger = new Logger(FaceEraser.name);

  constructor(
    private readonly db: TenantDb,
    private readonly erasure: FaceErasureRepository,
    private readonly deletions: DeletionRepository,
    private readonly envelope: EnvelopeService,
    private readonly vectors: VectorIndexClient,
    private readonly uploads: TransientUploadStore,
    private readonly producer: JobProducer,
    private readonly audit: AuditService,
  ) {}

  async eraseBatch(input: EraseBatchInput): Promise<EraseBatchOutcome> {
    const started = Date.now();
    let probes: { faceId: string; vector: Float32Array }[] = [];
    let cancelled: CancelledIndexJob[] = [];
    try {
      const step = await this.db.run(input.tenantId, async (tx) => {
        const assets = input.assets === 'none' ? [] : await this.erasure.retireAssets(tx, input.assets === 'all' ? { kind: 'all' } : input.selector);
        const erased = await this.erasure.eraseFaces(tx, input.selector);
        cancelled = input.assets === 'none' ? [] : await this.erasure.cancelIndexJobs(tx, input.assets === 'all' ? 'all' : assets);
        probes = await this.openForVerification(input.tenantId, erased, input.verifyAtMost ?? VERIFY_PER_BATCH);
        const index = await this.removeFromIndex(input.tenantId, erased);
        const uploads = cancelled.filter((j) => j.sourceKind === 'upload');
        // Before the commit, so the receipt counts them; a failure leaves them to the upload sweeper.
        for (const job of uploads) await this.uploads.remove(input.tenantId, job.id);
        const counts = {
          faces: erased.length,
          embeddings: erased.length,
          indexEntries: index.removed,
          snapshotsRewritten: index.snapshotsDeleted,
          jobsCancelled: cancelled.length,
          transientUploads: uploads.length,
        };
        if (erased.length > 0 || cancelled.length > 0 || assets.length > 0) {
          await this.deletions.addProgress(tx, input.deletionId, counts);
          await this.audit.record(tx, {
            actor: input.actor,
            action: input.auditAction,
            target: input.auditTarget,
            details: { deletionId: input.deletionId, ...counts, latencyMs: Date.now() - started },
            requestId: input.requestId,
          });
        }
        return counts;
      });
      // Waiting copies of cancelled jobs leave the queue (a running one is stopped by the generation check).
      for (const job of cancelled) await this.producer.removeWaiting(JobName.IndexAsset, job.id).catch(() => false);
      const verification = await this.verify(input.tenantId, probes);
      if (verification.checked > 0) {
        const { checked, searchable } = verification;
        const tally: Record<string, number> = searchable === null ? { unchecked: checked } : { checked, searchable };
        // The erasure has committed: a failure from here on must not read as "nothing was deleted".
        await this.db.run(input.tenantId, (tx) => this.deletions.addProgress(tx, input.deletionId, {}, tally)).catch((err: unknown) => {
          this.logger.error({ msg: 'deletion verification not recorded', tenantId: input.tenantId, deletionId: input.deletionId, error: (err as Error).name });
        });
      }
      return { ...step, checked: verification.checked, searchable: verification.searchable };
    } finally {
      for (const p of probes) p.vector.fill(0);
    }
  }

  /** A sample (all, for small scopes) of the erased embeddings, opened to search for them afterwards. */
  private async openForVerification(tenantId: TenantId, erased: readonly ErasedFace[], atMost: number): Promise<{ faceId: string; vector: Float32Array }[]> {
    const sample = erased.length <= atMost ? erased : spread(erased, atMost);
    const vectors = await this.envelope.decryptMany(
      tenantId,
      sample.map((f) => ({ faceId: f.id, modelVersion: modelKey(f.modelSet, f.modelVersion), blob: f.embedding })),
    );
    return sample.map((f, i) => ({ faceId: f.id, vector: vectors[i]! }));
  }

  private async removeFromIndex(tenantId: TenantId, erased: readonly ErasedFace[]): Promise<{ removed: number; snapshotsDeleted: number }> {
    let removed = 0;
    let snapshotsDeleted = 0;
    for (let i = 0; i < erased.length; i += REMOVE_CHUNK) {
      const ids = erased.slice(i, i + REMOVE_CHUNK).map((f) => f.id);
      const r = await this.vectors.remove(tenantId, ids, { purgeSnapshots: true });
      removed += r.removed;
      snapshotsDeleted += r.snapshotsDeleted;
    }
    return { removed, snapshotsDeleted };
  }

  /** How many erased faces a search of the index still returns (should be 0); null if the index did not answer. */
  private async verify(tenantId: TenantId, probes: readonly { faceId: string; vector: Float32Array }[]): Promise<{ checked: number; searchable: number | null }> {
    if (probes.length === 0) return { checked: 0, searchable: 0 };
    const erased = new Set(probes.map((p) => p.faceId));
    let searchable = 0;
    try {
      for (const probe of probes) {
        const hits = await this.vectors.search(tenantId, probe.vector, VERIFY_K, VERIFY_MIN_SIMILARITY);
        if (hits.some((h) => erased.has(h.faceId))) searchable++;
      }
    } catch (err) {
      this.logger.warn({ msg: 'deletion verification search failed', tenantId, checked: probes.length, error: (err as Error).name });
      return { checked: probes.length, searchable: null };
    }
    return { checked: probes.length, searchable };
  }
}

/** `n` items spread evenly over `items`. */
function spread<T>(items: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.floor((i * items.length) / n)]!);
  return out;
}
