import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';
import { JobName, type PingJobPayload, QueueName } from '@app/contracts';
import { PingHandler } from './ping.handler';

/** Thin: routes each job of the system queue to its handler. */
@Processor(QueueName.System)
export class SystemProcessor extends WorkerHost {
  private readonly logger = new Logger(SystemProcessor.name);

  constructor(private readonly ping: PingHandler) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as JobName;
    const started = Date.now();
    try {
      switch (name) {
        case JobName.Ping:
          return this.ping.handle(job.data as PingJobPayload);
        case JobName.RotateDataKey:
        case JobName.PurgeTenant:
        case JobName.IndexAsset:
        case JobName.DeliverWebhook:
        case JobName.PurgeFaceData:
        case JobName.RetentionSweep:
        case JobName.ExpireFaces:
          throw new Error(`job ${name} does not belong on the ${QueueName.System} queue`);
      }
    } finally {
      this.logger.debug({ msg: 'job done', jobId: job.id, name, tenantId: (job.data as PingJobPayload).tenantId, durationMs: Date.now() - started });
    }
  }
}
