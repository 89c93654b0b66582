import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';
import { JobName, type PurgeTenantJobPayload, QueueName, type RotateDataKeyJobPayload } from '@app/contracts';
import { PurgeTenant } from '@app/deletion';
import { CompleteDataKeyRotation } from '@app/tenants';

/** Thin: routes each maintenance job to its use case. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly rotation: CompleteDataKeyRotation,
    private readonly purgeTenant: PurgeTenant,
  ) {
    super();
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
      case JobName.Ping:
      case JobName.IndexAsset:
      case JobName.DeliverWebhook:
        throw new Error(`job ${name} does not belong on the ${QueueName.Maintenance} queue`);
    }
  }
}
