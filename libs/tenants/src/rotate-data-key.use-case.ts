import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditAction, AuditService } from '@app/audit';
import { CRYPTO_OPTIONS, type CryptoOptions, TenantKeyService } from '@app/crypto';
import { JobProducer } from '@app/queue';
import { VectorIndexClient } from '@app/vector-client';
import { actorOf, type TenantCallerContext } from './caller';
import { JobName, type RotateDataKeyJobPayload, type RotateDataKeyJobResult, SEALED_DATA_SETS, type SealedDataSet } from '@app/contracts';

export interface RotationRequested {
  version: number;
  previousVersion: number;
  jobId: string;
}

/**
 * Admin: a new data-key version becomes current at once (new data is sealed under it); a background
 * job re-seals older data and then destroys the old version. The job is delayed by the time other
 * replicas may keep using the old version from their caches, so nothing is sealed under it afterwards.
 */
@Injectable()
export class RequestDataKeyRotation {
  constructor(
    private readonly keys: TenantKeyService,
    private readonly producer: JobProducer,
    private readonly audit: AuditService,
    @Inject(CRYPTO_OPTIONS) private readonly cryptoOptions: CryptoOptions,
  ) {}

  async execute(caller: TenantCallerContext): Promise<RotationRequested> {
    const { version, previousVersion } = await this.keys.rotate(caller.tenantId);
    // BullMQ refuses custom ids with a single colon, so ids use dots.
    const jobId = `rotate-data-key.${caller.tenantId}.${version}`;
    await this.producer.enqueue(
      JobName.RotateDataKey,
      { tenantId: caller.tenantId, version, previousVersion, requestedByKeyId: caller.keyId, requestId: caller.requestId },
      { jobId, delay: this.cryptoOptions.currentVersionTtlMs, attempts: 10, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 7 * 86400 } },
    );
    await this.audit.recordAlone(caller.tenantId, {
      actor: actorOf(caller),
      action: AuditAction.DataKeyRotationRequested,
      target: { type: 'dataKey', id: String(version) },
      details: { version, previousVersion },
      requestId: caller.requestId,
    });
    return { version, previousVersion, jobId };
  }
}

/** The background half: re-seal every registered data set in batches, then destroy the old version. */
@Injectable()
export class CompleteDataKeyRotation {
  constructor(
    private readonly keys: TenantKeyService,
    private readonly audit: AuditService,
    @Optional() @Inject(SEALED_DATA_SETS) private readonly sets: SealedDataSet[] = [],
    @Optional() private readonly vectors?: VectorIndexClient,
  ) {}

  async execute(job: RotateDataKeyJobPayload, progress: (p: { set: string; reencrypted: number }) => Promise<void>, batchSize = 500): Promise<RotateDataKeyJobResult> {
    const started = Date.now();
    let reencrypted = 0;
    for (const set of this.sets) {
      for (;;) {
        const n = await set.reencryptBatch(job.tenantId, job.version, batchSize);
        if (n === 0) break;
        reencrypted += n;
        await progress({ set: set.name, reencrypted });
      }
    }
    // The tenant's index snapshot is rewritten under the new version (and the old ones deleted) by the
    // replica that holds it. A replica that does not hold the tenant has at most an old snapshot, which
    // becomes unreadable with the old version and is rebuilt from the database at the next load.
    const snapshot = this.vectors ? await this.vectors.snapshot(job.tenantId) : { snapshotId: null };
    // Every older version, not just the previous one: a retried or superseded rotation leaves none behind.
    const older = (await this.keys.listVersions(job.tenantId)).filter((v) => v.version < job.version && v.destroyedAt === null);
    for (const v of older) await this.keys.destroyVersion(job.tenantId, v.version);
    await this.audit.recordAlone(job.tenantId, {
      actor: { type: 'system' },
      action: AuditAction.DataKeyRotationCompleted,
      target: { type: 'dataKey', id: String(job.version) },
      details: { version: job.version, reencrypted, snapshotRewritten: snapshot.snapshotId !== null, versionsDestroyed: older.length, latencyMs: Date.now() - started },
      requestId: job.requestId,
    });
    return { reencrypted, destroyedVersion: job.previousVersion };
  }
}
