import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';
import { JobName, QueueName, type RotateDataKeyJobPayload } from '@app/contracts';
import { CompleteDataKeyRotation } from '@app/tenants';

/** Thin: routes each maintenance job to its use case. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(private readonly rotation: CompleteDataKeyRotation) {
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
      case JobName.Ping:
        throw new Error(`job ${name} does not belong on the ${QueueName.Maintenance} queue`);
    }
  }
}
