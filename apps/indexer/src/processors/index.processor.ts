import { Inject, type OnModuleInit } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { type IndexAssetJobPayload, JobName, QueueName } from '@app/contracts';
import { IndexAsset } from '@app/indexing';

/**
 * Thin: index jobs to the IndexAsset use case. Concurrency and the job lock come from config, set on
 * the worker right after it is created (@Processor options are static), before its first job and
 * before its stalled-job timer starts.
 */
@Processor(QueueName.Index)
export class IndexProcessor extends WorkerHost implements OnModuleInit {
  constructor(
    private readonly indexAsset: IndexAsset,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.indexer.concurrency;
    // A killed worker's job is taken over once its lock lapses (stalled-job check every lock period).
    Object.assign(this.worker.opts, { lockDuration: this.config.indexer.lockDurationMs, stalledInterval: this.config.indexer.lockDurationMs });
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as JobName;
    switch (name) {
      case JobName.IndexAsset: {
        const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.indexAsset.execute(job.data as IndexAssetJobPayload, isLastAttempt);
      }
      case JobName.Ping:
      case JobName.RotateDataKey:
      case JobName.PurgeTenant:
      case JobName.DeliverWebhook:
      case JobName.PurgeFaceData:
      case JobName.RetentionSweep:
      case JobName.ExpireFaces:
        throw new Error(`job ${name} does not belong on the ${QueueName.Index} queue`);
    }
  }
}
