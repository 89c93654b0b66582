import { type TenantId } from './ids';

/** Every BullMQ queue of the product. */
export enum QueueName {
  System = 'system',
}

/** Every job name, per queue. */
export enum JobName {
  /** A round trip gateway -> Redis -> indexer, used by diagnostics and tests. */
  Ping = 'ping',
}

/** Every job payload carries the tenant it acts for. */
export interface TenantJobPayload {
  tenantId: TenantId;
}

export interface PingJobPayload extends TenantJobPayload {
  sentAt: string;
  nonce: string;
}

export interface PingJobResult {
  nonce: string;
  tenantId: TenantId;
  worker: string;
  receivedAt: string;
}

/** Maps each job name to its payload and result so producers and processors agree by type. */
export interface JobTypes {
  [JobName.Ping]: { queue: QueueName.System; payload: PingJobPayload; result: PingJobResult };
}

export type JobPayload<N extends JobName> = JobTypes[N]['payload'];
export type JobResult<N extends JobName> = JobTypes[N]['result'];
