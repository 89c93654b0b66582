import { Inject, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  type ExpireFacesJobPayload,
  JobName,
  type PurgeFaceDataJobPayload,
  type PurgeTenantJobPayload,
  QueueName,
  type RotateDataKeyJobPayload,
} from '@app/contracts';
import { ExpireFaces, PurgeFaceData, PurgeTenant, SweepRetention } from '@app/deletion';
import { JobProducer } from '@app/queue';
import { CompleteDataKeyRotation } from '@app/tenants';

const RETENTION_SCHEDULER_ID = 'retention-sweep';

/** Thin: routes each maintenance job to its use case, and keeps the retention sweep scheduled. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: JobProducer,
    private readonly rotation: CompleteDataKeyRotation,
    private readonly purgeTenant: PurgeTenant,
    private readonly purgeFaceData: PurgeFaceData,
    private readonly sweepRetention: SweepRetention,
    private readonly expireFaces: ExpireFaces,
  ) {
    super();
  }

  onModuleInit(): void {
    // A killed worker's purge is taken over once its lock lapses, as for index jobs.
    Object.assign(this.worker.opts, { lockDuration: this.config.indexer.lockDurationMs, stalledInterval: this.config.indexer.lockDurationMs });
  }

  /** One scheduler for all workers (BullMQ upserts it by id): a changed interval replaces the old one. */
  async onApplicationBootstrap(): Promise<void> {
    const everyMs = this.config.indexer.retentionSweepIntervalMs;
    if (everyMs === 0) {
      await this.producer.queueOf(JobName.RetentionSweep).removeJobScheduler(RETENTION_SCHEDULER_ID);
      return;
    }
    await this.producer.schedule(JobName.RetentionSweep, RETENTION_SCHEDULER_ID, everyMs, { scope: 'all-tenants' }, { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } });
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as JobName;
    switch (name) {
      case JobName.RotateDataKey: {
        const payload = job.data as RotateDataKeyJobPayload;
        const result = await this.rotation.execute(payload, (p) => job.updateProgress(p));
        this.logger.log({ msg: 'data key rotated', jobId: job.id, tenantId: payload.tenantId, version: payload.version, reencrypted: result.reencrypted });
        return result;
      }
      case JobName.PurgeTenant: {
        const payload = job.data as PurgeTenantJobPayload;
        const result = await this.purgeTenant.execute(payload);
        this.logger.log({ msg: 'tenant purged', jobId: job.id, tenantId: payload.tenantId, deletionId: payload.deletionId, faces: result.faces });
        return result;
      }
      case JobName.PurgeFaceData: {
        const payload = job.data as PurgeFaceDataJobPayload;
        const result = await this.purgeFaceData.execute(payload, (erased) => job.updateProgress({ erased }));
        this.logger.log({ msg: 'face data purged', jobId: job.id, tenantId: payload.tenantId, deletionId: payload.deletionId, faces: result.faces });
        return result;
      }
      case JobName.RetentionSweep:
        // The sweep's own time, not the clock now: a retried sweep computes the same cutoffs (and job ids).
        return this.sweepRetention.execute(new Date(job.timestamp));
      case JobName.ExpireFaces: {
        const payload = job.data as ExpireFacesJobPayload;
        const result = await this.expireFaces.execute(payload);
        this.logger.log({ msg: 'faces expired', jobId: job.id, tenantId: payload.tenantId, deletionId: payload.deletionId, faces: result.faces });
        return result;
      }
      case JobName.Ping:
      case JobName.IndexAsset:
      case JobName.DeliverWebhook:
        throw new Error(`job ${name} does not belong on the ${QueueName.Maintenance} queue`);
    }
  }
}
