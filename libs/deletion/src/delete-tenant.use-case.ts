import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JobName, type PurgeTenantJobPayload, type PurgeTenantJobResult, type TenantId } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { TenantKeyService } from '@app/crypto';
import { ApiKeyRepository, DeletionRepository, TenantDb, TenantRepository } from '@app/persistence';
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
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async execute(job: PurgeTenantJobPayload, now = () => new Date()): Promise<PurgeTenantJobResult> {
    const started = Date.now();
    const shred = await this.dataKeys.shredTenant(job.tenantId);
    const removed = await this.db.run(job.tenantId, (tx) => this.tenants.deleteCascade(tx));
    // The index and its snapshots next (a replica that is down fails the job, which is retried):
    // sealed under destroyed keys they are unreadable already, but they must not stay behind.
    const dropped = await this.vectors.dropTenant(job.tenantId);
    const uploads = await this.blobs.list(`uploads/${job.tenantId}/`);
    for (const key of uploads) await this.blobs.delete(key);
    const remaining = await this.db.run(job.tenantId, async (tx) => {
      const [row] = (await tx.manager.query(`SELECT count(*)::int AS n FROM faces WHERE tenant_id = $1`, [tx.tenantId])) as { n: number }[];
      return row.n;
    });
    await this.db.run(job.tenantId, async (tx) => {
      const previous = await this.deletions.get(tx, job.deletionId);
      // A retry after the first run removed the rows reports the first run's counts.
      const counts = previous?.status === 'completed' ? previous.counts : {
        faces: removed.faces,
        embeddings: removed.faces,
        // Every face had an entry (loaded or in a snapshot); all went with the dropped index.
        indexEntries: removed.faces,
        snapshotsRewritten: dropped.snapshotsDeleted,
        transientUploads: uploads.length,
        jobsCancelled: removed.jobs,
        apiKeys: removed.apiKeys,
        dataKeysDestroyed: shred.versionsDestroyed.length,
        kmsKeysScheduledForDeletion: shred.kmsKeysScheduledForDeletion.length,
      };
      await this.deletions.complete(tx, job.deletionId, { status: 'completed', counts, verified: { searchable: remaining }, at: previous?.completedAt ?? now() });
      await this.audit.record(tx, {
        actor: { type: 'system' },
        action: AuditAction.TenantDeleted,
        target: { type: 'tenant', id: job.tenantId },
        details: { deletionId: job.deletionId, faces: removed.faces, dataKeysDestroyed: shred.versionsDestroyed.length, latencyMs: Date.now() - started },
      });
    });
    return { faces: removed.faces, dataKeysDestroyed: shred.versionsDestroyed.length };
  }
}
