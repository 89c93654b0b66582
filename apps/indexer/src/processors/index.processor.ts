import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { type IndexAssetJobPayload, JobName, QueueName } from '@app/contracts';
import { IndexAsset } from '@app/indexing';

/**
 * Thin: index jobs to the IndexAsset use case. Started by hand (autorun off) so concurrency and the
 * job lock come from config: @Processor options are static.
 */
@Processor(QueueName.Index, { autorun: false })
export class IndexProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly indexAsset: IndexAsset,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.indexer.concurrency;
    // A killed worker's job is taken over once its lock lapses (stalled-job check every lock period).
    Object.assign(this.worker.opts, { lockDuration: this.config.indexer.lockDurationMs, stalledInterval: this.config.indexer.lockDurationMs });
    this.worker.run().catch((err: unknown) => new Logger(IndexProcessor.name).error({ msg: 'index worker stopped', error: (err as Error).name }));
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as JobName;
    switch (name) {
      case JobName.IndexAsset: {
        const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.indexAsset.execute(job.data as IndexAssetJobPayload, (pct) => job.updateProgress(pct), isLastAttempt);
      }
      case JobName.Ping:
      case JobName.RotateDataKey:
      case JobName.PurgeTenant:
      case JobName.DeliverWebhook:
        throw new Error(`job ${name} does not belong on the ${QueueName.Index} queue`);
    }
  }
}
