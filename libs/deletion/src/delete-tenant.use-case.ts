import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JobName, type PurgeTenantJobPayload, type PurgeTenantJobResult, type TenantId } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { TenantKeyService } from '@app/crypto';
import { ApiKeyRepository, DeletionRepository, FaceRepository, TenantDb, TenantRepository } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { BLOB_STORE, type BlobStore } from '@app/storage';
import { VectorIndexClient } from '@app/vector-client';
import { DeletionError, DeletionErrorCode } from './deletion.error';

/**
 * Operator: delete a whole tenant. The request locks the tenant out at once (every key revoked),
 * records a pending receipt and queues the purge, all or nothing; 202 with the deletion id.
 */
@Injectable()
export class RequestTenantDeletion {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly keys: ApiKeyRepository,
    private readonly deletions: DeletionRepository,
    private readonly producer: JobProducer,
    private readonly audit: AuditService,
  ) {}

  async execute(tenantId: TenantId, requestId: string | null, now = new Date()): Promise<{ deletionId: string }> {
    const exists = await this.db.runAsOperator((tx) => this.tenants.exists(tx, tenantId));
    if (!exists) throw new DeletionError(DeletionErrorCode.TenantNotFound, 'No tenant with this id.');
    const deletionId = randomUUID();
    await this.db.run(tenantId, async (tx) => {
      await this.keys.revokeAll(tx, now);
      await this.deletions.insert(tx, { id: deletionId, scopeType: 'tenant', scopeId: tenantId, requestedAt: now, requestedBy: { type: 'operator' } });
      await this.audit.record(tx, {
        actor: { type: 'operator' },
        action: AuditAction.TenantDeletionRequested,
        target: { type: 'tenant', id: tenantId },
        details: { deletionId },
        requestId,
      });
      // Last, inside the transaction: if Redis refuses the job, nothing above commits (503).
      await this.producer.enqueue(
        JobName.PurgeTenant,
        { tenantId, deletionId },
        { jobId: `purge-tenant.${tenantId}.${deletionId}`, attempts: 20, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: { age: 7 * 86400 } },
      );
    });
    return { deletionId };
  }
}

/**
 * The purge. Keys go first: from then on no stored byte of the tenant (rows, snapshots, backups of
 * rows sealed under a tenant-owned CMK) can be decrypted, whatever happens to the rest. Idempotent,
 * so a worker killed half way simply runs it again.
 */
@Injectable()
export class PurgeTenant {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly deletions: DeletionRepository,
    private readonly dataKeys: TenantKeyService,
    private readonly audit: AuditService,
    private readonly vectors: VectorIndexClient,
    private readonly faces: FaceRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async execute(job: PurgeTenantJobPayload, now = () => new Date()): Promise<PurgeTenantJobResult> {
    const started = Date.now();
    const receipt = await this.db.run(job.tenantId, (tx) => this.deletions.get(tx, job.deletionId));
    if (receipt?.status === 'completed') return { faces: receipt.counts.faces ?? 0, dataKeysDestroyed: receipt.counts.dataKeysDestroyed ?? 0 };
    // Each step adds what it did to the receipt as it ends, so a worker killed half way (and the retry
    // that finds less to do) still ends with the counts of everything that went.
    const shred = await this.dataKeys.shredTenant(job.tenantId);
    await this.progress(job, { dataKeysDestroyed: shred.versionsDestroyed.length, kmsKeysScheduledForDeletion: shred.kmsKeysScheduledForDeletion.length });
    await this.db.run(job.tenantId, async (tx) => {
      const removed = await this.tenants.deleteCascade(tx);
      // Every face had an index entry (loaded or in a snapshot): all go with the dropped index below.
      await this.deletions.addProgress(tx, job.deletionId, { faces: removed.faces, embeddings: removed.faces, indexEntries: removed.faces, jobsCancelled: removed.jobs, apiKeys: removed.apiKeys });
    });
    // The index and its snapshots next (a replica that is down fails the job, which is retried):
    // sealed under destroyed keys they are unreadable already, but they must not stay behind.
    const dropped = await this.vectors.dropTenant(job.tenantId);
    await this.progress(job, { snapshotsRewritten: dropped.snapshotsDeleted });
    const uploads = await this.blobs.list(`uploads/${job.tenantId}/`);
    for (const key of uploads) await this.blobs.delete(key);
    await this.progress(job, { transientUploads: uploads.length });
    return this.db.run(job.tenantId, async (tx) => {
      const remaining = await this.faces.count(tx);
      const done = await this.deletions.addProgress(tx, job.deletionId, {});
      await this.deletions.complete(tx, job.deletionId, { status: 'completed', counts: done.counts, verified: { searchable: remaining, checked: done.counts.faces ?? 0 }, at: now() });
      await this.audit.record(tx, {
        actor: { type: 'system' },
        action: AuditAction.TenantDeleted,
        target: { type: 'tenant', id: job.tenantId },
        details: { deletionId: job.deletionId, faces: done.counts.faces ?? 0, dataKeysDestroyed: done.counts.dataKeysDestroyed ?? 0, latencyMs: Date.now() - started },
      });
      return { faces: done.counts.faces ?? 0, dataKeysDestroyed: done.counts.dataKeysDestroyed ?? 0 };
    });
  }

  private progress(job: PurgeTenantJobPayload, counts: Record<string, number>): Promise<unknown> {
    return this.db.run(job.tenantId, (tx) => this.deletions.addProgress(tx, job.deletionId, counts));
  }
}
