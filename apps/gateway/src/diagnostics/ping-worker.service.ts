import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { JobName, type PingJobResult } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { JobProducer } from '@app/queue';
import { type TenantCallerContext } from '@app/tenants';

export interface PingResult {
  worker: string;
  roundTripMs: number;
}

/** Proves the path gateway → Redis → indexer → back, for this tenant. */
@Injectable()
export class PingWorkerService implements OnApplicationShutdown {
  private events?: QueueEvents;

  constructor(
    private readonly producer: JobProducer,
    private readonly audit: AuditService,
  ) {}

  async ping(caller: TenantCallerContext, timeoutMs = 5000): Promise<PingResult> {
    const started = Date.now();
    const queue = this.producer.queueOf(JobName.Ping);
    if (!this.events) {
      // QueueEvents blocks on Redis, so its connection must retry forever (unlike the producer's).
      const connection = { ...(queue.opts.connection as Record<string, unknown>), maxRetriesPerRequest: null, enableOfflineQueue: true };
      this.events = new QueueEvents(queue.name, { connection, prefix: queue.opts.prefix });
      await this.events.waitUntilReady();
    }
    const nonce = randomUUID();
    const job = await this.producer.enqueue<JobName.Ping>(
      JobName.Ping,
      { tenantId: caller.tenantId, sentAt: new Date(started).toISOString(), nonce },
      { jobId: `ping.${caller.tenantId}.${nonce}`, removeOnComplete: { age: 60 }, removeOnFail: { age: 3600 } },
    );
    const result: PingJobResult = await this.producer.waitFor<JobName.Ping>(job, this.events, timeoutMs);
    if (result.nonce !== nonce || result.tenantId !== caller.tenantId) {
      throw new Error('The worker answered a different ping than the one sent');
    }
    const roundTripMs = Date.now() - started;
    await this.audit.recordAlone(caller.tenantId, {
      actor: { type: 'apiKey', keyId: caller.keyId, role: caller.role },
      action: AuditAction.DiagnosticsPing,
      target: { type: 'queue', id: queue.name },
      details: { latencyMs: roundTripMs },
      requestId: caller.requestId,
    });
    return { worker: result.worker, roundTripMs };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.events?.close();
  }
}
