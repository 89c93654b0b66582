import { type TenantId } from './ids';

/** Every BullMQ queue of the product. */
export enum QueueName {
  System = 'system',
  /** Asset indexing: fetch, detect/align/embed, seal, persist, add to the vector index. */
  Index = 'index',
  /** Signed callbacks to integrators' URLs, retried with backoff apart from indexing work. */
  Webhooks = 'webhooks',
  /** Slow background work per tenant: data-key rotation, purges, retention. */
  Maintenance = 'maintenance',
}

/** Every job name, per queue. */
export enum JobName {
  IndexAsset = 'index-asset',
  DeliverWebhook = 'deliver-webhook',
  /** A round trip gateway -> Redis -> indexer, used by diagnostics and tests. */
  Ping = 'ping',
  /** Re-seal a tenant's data under its new data-key version, then destroy the old version. */
  RotateDataKey = 'rotate-data-key',
  /** Erase everything of a deleted tenant: keys first (crypto-shredding), then rows, index, snapshots. */
  PurgeTenant = 'purge-tenant',
  /** Erase all face data of a tenant that stays (DELETE /v1/face-data), in batches, resumable. */
  PurgeFaceData = 'purge-face-data',
  /** Repeatable: finds tenants with faces past their retention and queues ExpireFaces for each. */
  RetentionSweep = 'retention-sweep',
  /** Erase one tenant's faces older than its retentionDays, as the system, with a receipt. */
  ExpireFaces = 'expire-faces',
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

export interface RotateDataKeyJobPayload extends TenantJobPayload {
  version: number;
  previousVersion: number;
  requestedByKeyId: string;
  requestId: string | null;
}

export interface RotateDataKeyJobResult {
  reencrypted: number;
  destroyedVersion: number;
}

export interface PurgeTenantJobPayload extends TenantJobPayload {
  deletionId: string;
}

export interface PurgeTenantJobResult {
  faces: number;
  dataKeysDestroyed: number;
}

export interface PurgeFaceDataJobPayload extends TenantJobPayload {
  deletionId: string;
}

export interface FaceErasureJobResult {
  faces: number;
}

/** A sweep acts for every tenant, so it names none; each tenant's work is its own ExpireFaces job. */
export interface RetentionSweepJobPayload {
  scope: 'all-tenants';
}

export interface RetentionSweepJobResult {
  tenantsQueued: number;
}

export interface ExpireFacesJobPayload extends TenantJobPayload {
  /** Faces indexed before this instant (the sweep's time minus retentionDays) expire. */
  cutoff: string;
  /** The receipt of this run (a retry reuses it). */
  deletionId: string;
}

/** Where the worker gets the image: never the bytes themselves (uploads wait sealed in the blob store). */
export type IndexSourceRef = { kind: 'upload' } | { kind: 'url'; url: string } | { kind: 's3'; bucket: string; key: string; versionId?: string };

export interface IndexAssetJobPayload extends TenantJobPayload {
  jobId: string;
  assetId: string;
  source: IndexSourceRef;
  assetGeneration: number;
  maxFaces?: number;
  qualityFilter?: 'none' | 'low' | 'medium' | 'high';
  callbackUrl?: string;
}

export interface IndexAssetJobResult {
  status: 'completed' | 'failed';
  facesIndexed: number;
}

export interface DeliverWebhookJobPayload extends TenantJobPayload {
  /** The index job whose end is reported. */
  jobId: string;
  callbackUrl: string;
}

export interface DeliverWebhookJobResult {
  status: number;
}

/** Maps each job name to its payload and result so producers and processors agree by type. */
export interface JobTypes {
  [JobName.Ping]: { queue: QueueName.System; payload: PingJobPayload; result: PingJobResult };
  [JobName.IndexAsset]: { queue: QueueName.Index; payload: IndexAssetJobPayload; result: IndexAssetJobResult };
  [JobName.DeliverWebhook]: { queue: QueueName.Webhooks; payload: DeliverWebhookJobPayload; result: DeliverWebhookJobResult };
  [JobName.RotateDataKey]: { queue: QueueName.Maintenance; payload: RotateDataKeyJobPayload; result: RotateDataKeyJobResult };
  [JobName.PurgeTenant]: { queue: QueueName.Maintenance; payload: PurgeTenantJobPayload; result: PurgeTenantJobResult };
  [JobName.PurgeFaceData]: { queue: QueueName.Maintenance; payload: PurgeFaceDataJobPayload; result: FaceErasureJobResult };
  [JobName.RetentionSweep]: { queue: QueueName.Maintenance; payload: RetentionSweepJobPayload; result: RetentionSweepJobResult };
  [JobName.ExpireFaces]: { queue: QueueName.Maintenance; payload: ExpireFacesJobPayload; result: FaceErasureJobResult };
}

export type JobPayload<N extends JobName> = JobTypes[N]['payload'];
export type JobResult<N extends JobName> = JobTypes[N]['result'];
