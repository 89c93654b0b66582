import { Injectable, Logger } from '@nestjs/common';
import { type ExpireFacesJobPayload, type FaceErasureJobResult, JobName, nameBasedUuid, type RetentionSweepJobResult, TenantId } from '@app/contracts';
import { AuditAction } from '@app/audit';
import { DeletionRepository, FaceErasureRepository, TenantDb, TenantRepository } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { FaceEraser } from './face-eraser.service';

const RETENTION_BATCH = 1_000;
const DAY_MS = 86_400_000;
const TENANT_PAGE = 500;

/** Named by the tenant and the cutoff: a retried sweep finds the same receipt and job. */
const retentionDeletionId = (tenantId: string, cutoff: Date) => nameBasedUuid('retention', tenantId, cutoff.toISOString());

/**
 * The repeatable sweep: for every tenant, faces indexed more than `retentionDays` before the sweep's
 * time are due, and a tenant that has any gets an ExpireFaces job. Settings are read at each run, so a
 * changed retentionDays applies from the next one.
 */
@Injectable()
export class SweepRetention {
  private readonly logger = new Logger(SweepRetention.name);

  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly erasure: FaceErasureRepository,
    private readonly producer: JobProducer,
  ) {}

  async execute(sweptAt: Date): Promise<RetentionSweepJobResult> {
    let tenantsQueued = 0;
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await this.db.runAsOperator((tx) => this.tenants.list(tx, TENANT_PAGE, after));
      for (const tenant of page) {
        const tenantId = TenantId.parse(tenant.id);
        const cutoff = new Date(sweptAt.getTime() - tenant.retentionDays * DAY_MS);
        const due = await this.db.run(tenantId, (tx) => this.erasure.hasFacesIndexedBefore(tx, cutoff));
        if (!due) continue;
        const deletionId = retentionDeletionId(tenantId, cutoff);
        await this.producer.enqueue(
          JobName.ExpireFaces,
          { tenantId, cutoff: cutoff.toISOString(), deletionId },
          { jobId: `expire-faces.${deletionId}`, attempts: 10, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 7 * 86400 }, removeOnFail: { age: 30 * 86400 } },
        );
        tenantsQueued++;
      }
      if (page.length < TENANT_PAGE) break;
      const last = page[page.length - 1]!;
      after = { createdAt: last.createdAt, id: last.id };
    }
    this.logger.log({ msg: 'retention sweep', tenantsQueued });
    return { tenantsQueued };
  }
}

/** One tenant's expiry, as the system, through the same erasure path as an API deletion, with a receipt. */
@Injectable()
export class ExpireFaces {
  constructor(
    private readonly db: TenantDb,
    private readonly deletions: DeletionRepository,
    private readonly eraser: FaceEraser,
  ) {}

  async execute(job: ExpireFacesJobPayload): Promise<FaceErasureJobResult> {
    const cutoff = new Date(job.cutoff);
    const receipt = await this.db.run(job.tenantId, async (tx) => {
      await this.deletions.insertIfAbsent(tx, { id: job.deletionId, scopeType: 'retention', scopeId: cutoff.toISOString(), requestedAt: new Date(), requestedBy: { type: 'system' } });
      return this.deletions.get(tx, job.deletionId);
    });
    if (receipt?.status !== 'pending') return { faces: receipt?.counts.faces ?? 0 };
    let erased = 0;
    for (;;) {
      const batch = await this.eraser.eraseBatch({
        tenantId: job.tenantId,
        deletionId: job.deletionId,
        selector: { kind: 'indexedBefore', before: cutoff, limit: RETENTION_BATCH },
        // Only faces past their time go; a fresh re-indexing of the same asset is not cancelled.
        assets: 'none',
        actor: { type: 'system' },
        requestId: null,
        auditAction: AuditAction.FacesExpired,
        auditTarget: { type: 'retention', id: cutoff.toISOString() },
      });
      erased += batch.faces;
      if (batch.faces < RETENTION_BATCH) break;
    }
    await this.db.run(job.tenantId, async (tx) => {
      const done = await this.deletions.get(tx, job.deletionId);
      await this.deletions.complete(tx, job.deletionId, { status: 'completed', counts: done!.counts, verified: done!.verified, at: new Date() });
    });
    return { faces: erased };
  }
}
