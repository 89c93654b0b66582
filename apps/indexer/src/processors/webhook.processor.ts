import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { AppError, type DeliverWebhookJobPayload, ErrorKind, JobName, QueueName } from '@app/contracts';
import { DeliverWebhook, PermanentIndexFailure } from '@app/indexing';

/** Thin: webhook deliveries; refusals that a retry cannot fix end the job at once. */
@Processor(QueueName.Webhooks)
export class WebhookProcessor extends WorkerHost {
  constructor(private readonly deliver: DeliverWebhook) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as JobName;
    switch (name) {
      case JobName.DeliverWebhook:
        try {
          return await this.deliver.execute(job.data as DeliverWebhookJobPayload);
        } catch (err) {
          if (err instanceof PermanentIndexFailure || (err instanceof AppError && err.kind === ErrorKind.Validation)) {
            throw new UnrecoverableError(err instanceof PermanentIndexFailure ? err.code : err.code);
          }
          throw err;
        }
      case JobName.Ping:
      case JobName.IndexAsset:
      case JobName.RotateDataKey:
      case JobName.PurgeTenant:
      case JobName.PurgeFaceData:
      case JobName.RetentionSweep:
      case JobName.ExpireFaces:
        throw new Error(`job ${name} does not belong on the ${QueueName.Webhooks} queue`);
    }
  }
}
