import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type FaceErasureJobResult, JobName, type PurgeFaceDataJobPayload } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { DeletionRepository, TenantDb } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { VectorIndexClient } from '@app/vector-client';
import { type DeletionCaller } from './delete-faces.use-case';
import { FaceEraser } from './face-eraser.service';

/** Faces erased per transaction: bounded memory and lock time, and a resumable purge. */
export const PURGE_BATCH = 2_000;
// A tenant-wide purge checks a sample of each batch (the whole index is dropped at the end anyway).
const PURGE_VERIFY_PER_BATCH = 16;

/**
 * Admin: erase all face data of the tenant, which stays (keys, settings, audit log, receipts). 202:
 * the receipt is created and the purge queued in one transaction; the receipt shows its progress.
 */
@Injectable()
export class RequestFaceDataDeletion {
  constructor(
    private readonly db: TenantDb,
    private readonly deletions: DeletionRepository,
    private readonly producer: JobProducer,
    private readonly audit: AuditService,
  ) {}

  /** A request while a purge is pending joins it: same deletionId, no second job (purges would race). */
  async execute(caller: DeletionCaller): Promise<{ deletionId: string }> {
    return this.db.run(caller.tenantId, async (tx) => {
      const { id: deletionId, created } = await this.deletions.openFaceDataPurge(tx, {
        id: randomUUID(),
        requestedAt: new Date(),
        requestedBy: { type: 'apiKey', keyId: caller.keyId, role: caller.role },
      });
      await this.audit.record(tx, {
        actor: { type: 'apiKey', keyId: caller.keyId, role: caller.role },
        action: AuditAction.FaceDataDeletionRequested,
        target: { type: 'faceData', id: null },
        details: { deletionId, joined: !created },
        requestId: caller.requestId,
      });
      // Last, inside the transaction: if Redis refuses the job, no receipt is left pending (503). For a
      // joined purge the same job id is a no-op unless its job was lost, which this re-creates.
      await this.producer.enqueue(
        JobName.PurgeFaceData,
        { tenantId: caller.tenantId, deletionId },
        { jobId: `purge-face-data.${caller.tenantId}.${deletionId}`, attempts: 20, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 7 * 86400 } },
      );
      return { deletionId };
    });
  }
}

/**
 * The purge job: the first batch bumps every asset's generation and cancels every open index job, each
 * batch erases the oldest faces through the shared FaceEraser (receipt counts updated in the batch's
 * transaction), and the tenant's index and all its snapshots are dropped last. A worker killed half way
 * is retried and carries on where the committed batches stopped.
 */
@Injectable()
export class PurgeFaceData {
  constructor(
    private readonly db: TenantDb,
    private readonly deletions: DeletionRepository,
    private readonly eraser: FaceEraser,
    private readonly vectors: VectorIndexClient,
    private readonly audit: AuditService,
  ) {}

  async execute(job: PurgeFaceDataJobPayload, progress: (erased: number) => Promise<void> = async () => undefined): Promise<FaceErasureJobResult> {
    const started = Date.now();
    const receipt = await this.db.run(job.tenantId, (tx) => this.deletions.get(tx, job.deletionId));
    // The job is queued inside the request's transaction: a fast worker can get here before it commits.
    if (!receipt) throw new Error('the purge receipt is not committed yet; retried');
    if (receipt.status !== 'pending') return { faces: receipt.counts.faces ?? 0 };
    let erased = 0;
    for (let first = true; ; first = false) {
      const batch = await this.eraser.eraseBatch({
        tenantId: job.tenantId,
        deletionId: job.deletionId,
        selector: { kind: 'all', limit: PURGE_BATCH },
        assets: first ? 'all' : 'none',
        verifyAtMost: PURGE_VERIFY_PER_BATCH,
        actor: { type: 'system' },
        requestId: null,
        auditAction: AuditAction.FacesDeleted,
        auditTarget: { type: 'faceData', id: null },
      });
      erased += batch.faces;
      await progress(erased);
      if (batch.faces < PURGE_BATCH) break;
    }
    // Nothing of the tenant is left to index: free the replica's memory and delete every snapshot.
    const dropped = await this.vectors.dropTenant(job.tenantId);
    await this.db.run(job.tenantId, async (tx) => {
      const done = await this.deletions.addProgress(tx, job.deletionId, { snapshotsRewritten: dropped.snapshotsDeleted });
      await this.deletions.complete(tx, job.deletionId, { status: 'completed', counts: done.counts, verified: done.verified, at: new Date() });
      await this.audit.record(tx, {
        actor: { type: 'system' },
        action: AuditAction.FaceDataDeleted,
        target: { type: 'faceData', id: null },
        details: { deletionId: job.deletionId, faces: done.counts.faces ?? 0, latencyMs: Date.now() - started },
      });
    });
    return { faces: erased };
  }
}
