import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ASSET_ID_PATTERN, type IndexSourceRef, JobName, type Role, type TenantId, type ApiKeyId } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { FaceRepository, IndexJobRepository, TenantDb } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { SourceFetcher } from '@app/sources';
import { IndexingError, IndexingErrorCode } from './indexing.error';
import { deterministicJobId } from './job-id';
import { TransientUploadStore } from './transient-upload.store';
import { type IndexJobView, toJobView } from './views';

export interface IndexCaller {
  tenantId: TenantId;
  keyId: ApiKeyId;
  role: Role;
  requestId: string | null;
}

export type IndexImage = { kind: 'upload'; bytes: Buffer } | { kind: 'url'; url: string } | { kind: 's3'; bucket: string; key: string; versionId?: string };

export interface IndexOptions {
  maxFaces?: number;
  qualityFilter?: 'none' | 'low' | 'medium' | 'high';
  callbackUrl?: string;
  metadata?: Record<string, string>;
}

const sha256 = (v: string | Buffer) => createHash('sha256').update(v).digest('hex');

/**
 * Integrator: queue an asset for indexing. The job id is derived from (tenant, asset, image), so a
 * repeated request returns the same job instead of indexing twice. Uploaded bytes are sealed into the
 * transient store before the job exists; the job carries only a reference.
 */
@Injectable()
export class RequestIndexing {
  constructor(
    private readonly db: TenantDb,
    private readonly faces: FaceRepository,
    private readonly jobs: IndexJobRepository,
    private readonly uploads: TransientUploadStore,
    private readonly producer: JobProducer,
    private readonly audit: AuditService,
    private readonly sources: SourceFetcher,
  ) {}

  async execute(caller: IndexCaller, assetId: string, image: IndexImage, options: IndexOptions): Promise<IndexJobView> {
    if (!ASSET_ID_PATTERN.test(assetId)) throw new IndexingError(IndexingErrorCode.InvalidAssetId, 'assetId must be 1-200 characters of A-Za-z0-9._:-');
    const started = Date.now();
    // What can be refused without the network is refused now (400), not in the job.
    if (image.kind === 'url') this.sources.validate({ url: image.url });
    if (image.kind === 's3') this.sources.validate({ s3: { bucket: image.bucket, key: image.key, versionId: image.versionId } });
    if (options.callbackUrl) this.sources.validate({ url: options.callbackUrl });
    const contentSha256 = image.kind === 'upload' ? sha256(image.bytes) : null;
    const fingerprint =
      image.kind === 'upload' ? `sha256:${contentSha256}` : image.kind === 'url' ? `url:${sha256(image.url)}` : `s3:${sha256(JSON.stringify([image.bucket, image.key, image.versionId ?? null]))}`;
    // The asset's deletion generation is part of the job's identity: the same image sent again after
    // its faces were deleted is a new job (the earlier one's outcome was erased with them).
    const source: IndexSourceRef =
      image.kind === 'upload' ? { kind: 'upload' } : image.kind === 'url' ? { kind: 'url', url: image.url } : { kind: 's3', bucket: image.bucket, key: image.key, versionId: image.versionId };

    const { generation, jobId, existing } = await this.db.run(caller.tenantId, async (tx) => {
      const gen = await this.faces.assetGeneration(tx, assetId);
      const id = deterministicJobId(caller.tenantId, assetId, gen === 0 ? fingerprint : `${fingerprint}\0gen:${gen}`);
      return { generation: gen, jobId: id, existing: await this.jobs.get(tx, id) };
    });
    // Same tenant, asset and image: the same job, whatever its state (a failure is deterministic too).
    if (existing) return toJobView(existing);
    if (image.kind === 'upload') await this.uploads.put(caller.tenantId, jobId, image.bytes);

    const job = await this.db.run(caller.tenantId, async (tx) => {
      // The generation read above: a deletion that came in meanwhile makes this job stale (it ends cancelled).
      const { job: stored, created } = await this.jobs.insertIfAbsent(tx, {
        id: jobId,
        assetId,
        sourceKind: image.kind,
        contentSha256,
        options: { ...options },
        assetGeneration: generation,
      });
      if (created) {
        // Inside the transaction: if Redis refuses, no job row is left behind (503).
        await this.producer.enqueue(
          JobName.IndexAsset,
          { tenantId: caller.tenantId, jobId, assetId, source, assetGeneration: generation, maxFaces: options.maxFaces, qualityFilter: options.qualityFilter, callbackUrl: options.callbackUrl },
          { jobId, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 86_400 } },
        );
        await this.audit.record(tx, {
          actor: { type: 'apiKey', keyId: caller.keyId, role: caller.role },
          action: AuditAction.IndexRequested,
          target: { type: 'asset', id: assetId },
          details: { jobId, source: image.kind, ...(contentSha256 ? { captureHash: contentSha256 } : {}), latencyMs: Date.now() - started },
          requestId: caller.requestId,
        });
      }
      return stored;
    });
    return toJobView(job);
  }
}
