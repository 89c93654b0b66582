import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { type Job, type JobsOptions, type Queue, QueueEvents } from 'bullmq';
import { type JobName, type JobPayload, type JobResult } from '@app/contracts';
import { JOB_QUEUE } from './job-queues';
import { QueueError, QueueErrorCode } from './queue.error';

/** Typed enqueueing: the payload type follows from the job name; the job id is the caller's (idempotency). */
@Injectable()
export class JobProducer {
  constructor(private readonly moduleRef: ModuleRef) {}

  queueOf(name: JobName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(JOB_QUEUE[name]), { strict: false });
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: JobsOptions & { jobId: string }): Promise<Job<JobPayload<N>, JobResult<N>>> {
    try {
      return (await this.queueOf(name).add(name, payload, opts)) as Job<JobPayload<N>, JobResult<N>>;
    } catch (err) {
      throw new QueueError(QueueErrorCode.Unavailable, 'The job queue is unavailable', err);
    }
  }

  /**
   * Removes a job that is still waiting or delayed (a cancelled index job, say); false when it is
   * running or gone. A running one is stopped by its own checks (e.g. the asset's deletion generation).
   */
  async removeWaiting(name: JobName, jobId: string): Promise<boolean> {
    try {
      return (await this.queueOf(name).remove(jobId)) === 1;
    } catch (err) {
      throw new QueueError(QueueErrorCode.Unavailable, 'The job queue is unavailable', err);
    }
  }

  /** Creates or updates a repeatable job (BullMQ job scheduler); idempotent across processes. */
  async schedule<N extends JobName>(name: N, schedulerId: string, everyMs: number, payload: JobPayload<N>, opts: Omit<JobsOptions, 'jobId' | 'repeat'> = {}): Promise<void> {
    try {
      await this.queueOf(name).upsertJobScheduler(schedulerId, { every: everyMs }, { name, data: payload, opts });
    } catch (err) {
      throw new QueueError(QueueErrorCode.Unavailable, 'The job queue is unavailable', err);
    }
  }

  /** Waits for a job's result (for short synchronous round trips such as diagnostics). */
  async waitFor<N extends JobName>(job: Job<JobPayload<N>, JobResult<N>>, events: QueueEvents, timeoutMs: number): Promise<JobResult<N>> {
    try {
      return (await job.waitUntilFinished(events, timeoutMs)) as JobResult<N>;
    } catch (err) {
      throw new QueueError(QueueErrorCode.Timeout, 'No worker finished the job in time', err);
    }
  }
}
