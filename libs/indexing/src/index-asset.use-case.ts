import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorKind, type IndexAssetJobPayload, type IndexAssetJobResult, JobName } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { EnvelopeService } from '@app/crypto';
import { type AnalyzedFace, type FaceAnalysis, FaceError } from '@app/face';
import { FaceRepository, type IndexJobRecord, IndexJobRepository, TenantDb, type TenantEntity, TenantRepository } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { SourceFetcher } from '@app/sources';
import { FaceEngineProvider } from './face-engine.provider';
import { IndexingError, IndexingErrorCode } from './indexing.error';
import { modelKey } from './model-key';
import { TransientUploadStore } from './transient-upload.store';
import { VECTOR_INDEX_WRITER, type VectorIndexWriter } from './vector-index.port';

/** A failure that retrying cannot fix (a bad image, a refused URL): the job fails at once. */
export class PermanentIndexFailure extends Error {
  constructor(readonly code: string, readonly detail: string) {
    super(detail);
  }
}

// Waits for a job's row that is not visible yet (see begin()): ~0.8 s in all, then the queue's backoff.
const JOB_ROW_WAITS_MS = [20, 50, 100, 200, 400];

const PERMANENT_KINDS = new Set<ErrorKind>([ErrorKind.Validation, ErrorKind.Unsupported, ErrorKind.Unprocessable, ErrorKind.TooLarge, ErrorKind.NotFound, ErrorKind.Forbidden]);

/**
 * The worker's use case: fetch → analyse → seal → one transaction (faces replaced, generation checked)
 * → vector index → audit. Pixel buffers never leave the engine's workers; the fetched bytes are zeroed.
 */
@Injectable()
export class IndexAsset {
  private readonly logger = new Logger(IndexAsset.name);

  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly faces: FaceRepository,
    private readonly jobs: IndexJobRepository,
    private readonly uploads: TransientUploadStore,
    private readonly sources: SourceFetcher,
    private readonly engine: FaceEngineProvider,
    private readonly envelope: EnvelopeService,
    private readonly audit: AuditService,
    private readonly producer: JobProducer,
    @Optional() @Inject(VECTOR_INDEX_WRITER) private readonly vectors?: VectorIndexWriter,
  ) {}

  /**
   * `isLastAttempt`: a transient failure on the last try is recorded as the job's failure. The job's
   * state is in Postgres (queued, active, completed/failed, read by GET /v1/jobs): no queue progress
   * updates, each of which cost a Redis script call and an event nobody read.
   */
  async execute(job: IndexAssetJobPayload, isLastAttempt: boolean): Promise<IndexAssetJobResult> {
    const result = await this.run(job, isLastAttempt);
    if (job.callbackUrl) {
      // Its own queue and retries: a slow or failing callback never holds up indexing.
      await this.producer.enqueue(
        JobName.DeliverWebhook,
        { tenantId: job.tenantId, jobId: job.jobId, callbackUrl: job.callbackUrl },
        { jobId: `webhook.${job.jobId}`, attempts: 8, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } },
      );
    }
    return result;
  }

  private async run(job: IndexAssetJobPayload, isLastAttempt: boolean): Promise<IndexAssetJobResult> {
    const started = Date.now();
    const tenant = await this.begin(job);
    if ('done' in tenant) return { status: tenant.done.status === 'completed' ? 'completed' : 'failed', facesIndexed: tenant.done.facesIndexed ?? 0 };
    if (!tenant.settings) throw new PermanentIndexFailure('cancelled', 'The tenant no longer exists.');

    let bytes: Buffer | null = null;
    try {
      bytes = await this.fetch(job);
      const engine = await this.engine.get();
      const analysis = await engine.analyze(bytes, {
        maxFaces: job.maxFaces ?? tenant.settings.maxFacesPerImage,
        qualityFilter: job.qualityFilter ?? tenant.settings.qualityFilter,
        minFaceSize: tenant.settings.minFaceSize,
      });
      const result = await this.store(job, analysis, started);
      // Only now: a worker killed before this point re-reads the same sealed upload on retry.
      if (job.source.kind === 'upload') await this.uploads.remove(job.tenantId, job.jobId);
      return result;
    } catch (err) {
      const failure = this.classify(err);
      if (failure || isLastAttempt) {
        const f = failure ?? { code: err instanceof AppError && err.kind === ErrorKind.Unavailable ? 'source_unreachable' : 'timeout', detail: 'The image could not be processed after several attempts.' };
        await this.recordFailure(job, f, started);
        if (job.source.kind === 'upload') await this.uploads.remove(job.tenantId, job.jobId);
        return { status: 'failed', facesIndexed: 0 };
      }
      throw err; // transient: BullMQ retries with backoff
    } finally {
      bytes?.fill(0);
    }
  }

  /**
   * The job's row marked active, and the tenant's settings; or the row's outcome when the job already
   * ended (a redelivery). The gateway enqueues inside the transaction that inserts the row, so the
   * queue can hand a job over before that commit: indexing it then would leave its row 'queued' for
   * good (markActive and complete update nothing yet; bench:index hung on one). So a missing row is
   * waited for briefly, then left to the queue's retry with backoff.
   */
  private async begin(job: IndexAssetJobPayload): Promise<{ done: IndexJobRecord } | { settings: TenantEntity | null }> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.db.run(job.tenantId, async (tx) => {
        const current = await this.jobs.markActive(tx, job.jobId);
        if (current?.status === 'completed' || current?.status === 'failed') return { done: current };
        const settings = await this.tenants.get(tx);
        if (!current && settings) return 'not_visible' as const;
        return { settings };
      });
      if (state !== 'not_visible') return state;
      if (attempt >= JOB_ROW_WAITS_MS.length) throw new Error('the index job has no committed row yet');
      await new Promise((resolve) => setTimeout(resolve, JOB_ROW_WAITS_MS[attempt]));
    }
  }

  private async fetch(job: IndexAssetJobPayload): Promise<Buffer> {
    switch (job.source.kind) {
      case 'upload': {
        const bytes = await this.uploads.take(job.tenantId, job.jobId);
        if (!bytes) throw new PermanentIndexFailure('source_not_found', 'The uploaded image is no longer available.');
        return bytes;
      }
      case 'url':
        return this.sources.fetch({ url: job.source.url });
      case 's3':
        return this.sources.fetch({ s3: { bucket: job.source.bucket, key: job.source.key, versionId: job.source.versionId } });
    }
  }

  private async store(job: IndexAssetJobPayload, analysis: FaceAnalysis, started: number): Promise<IndexAssetJobResult> {
    const model = modelKey(analysis.modelSet.id, analysis.modelSet.version);
    const now = new Date();
    const sealed = await Promise.all(
      analysis.faces.map(async (face: AnalyzedFace) => {
        const id = randomUUID();
        const embedding = await this.envelope.encrypt(job.tenantId, id, model, face.embedding);
        return { id, face, embedding, keyVersion: this.envelope.keyVersionOf(embedding) };
      }),
    );
    const unindexed = analysis.unindexed.map((u) => ({ reason: u.reason }));
    const outcome = await this.db.run(job.tenantId, async (tx) => {
      const written = await this.faces.replaceAssetFaces(
        tx,
        job.assetId,
        job.assetGeneration,
        analysis.contentSha256,
        sealed.map((s) => ({
          id: s.id,
          box: s.face.box,
          confidence: s.face.score,
          quality: { ...s.face.quality },
          modelSet: analysis.modelSet.id,
          modelVersion: analysis.modelSet.version,
          keyVersion: s.keyVersion,
          embedding: s.embedding,
        })),
        now,
      );
      if (written.kind === 'asset_deleted') {
        await this.jobs.fail(tx, job.jobId, { code: 'cancelled', detail: 'The asset was deleted while it was being indexed.' });
        return written;
      }
      await this.jobs.complete(tx, job.jobId, { contentSha256: analysis.contentSha256, facesIndexed: sealed.length, unindexedFaces: unindexed });
      await this.audit.record(tx, {
        actor: { type: 'system' },
        action: AuditAction.AssetIndexed,
        target: { type: 'asset', id: job.assetId },
        details: { jobId: job.jobId, facesIndexed: sealed.length, facesSkipped: unindexed.length, facesReplaced: written.replaced, captureHash: analysis.contentSha256, latencyMs: Date.now() - started },
      });
      return written;
    });
    if (outcome.kind === 'asset_deleted') return { status: 'failed', facesIndexed: 0 };
    if (this.vectors && sealed.length > 0) {
      try {
        await this.vectors.add(job.tenantId, sealed.map((s) => ({ faceId: s.id, vector: s.face.embedding })));
      } catch (err) {
        // Postgres is the source of truth: the index loads rows it has not seen when it next opens the tenant.
        this.logger.warn({ msg: 'vector index add failed; the index will catch up from the database', tenantId: job.tenantId, jobId: job.jobId, error: (err as Error).name });
      }
    }
    for (const s of sealed) s.face.embedding.fill(0);
    return { status: 'completed', facesIndexed: sealed.length };
  }

  private classify(err: unknown): { code: string; detail: string } | null {
    if (err instanceof PermanentIndexFailure) return { code: err.code, detail: err.detail };
    if (err instanceof FaceError && PERMANENT_KINDS.has(err.kind)) return { code: err.code, detail: err.detail };
    if (err instanceof AppError && PERMANENT_KINDS.has(err.kind)) return { code: err.code, detail: err.detail };
    if (err instanceof IndexingError && err.code === IndexingErrorCode.UploadMissing) return { code: 'source_not_found', detail: err.detail };
    return null;
  }

  private async recordFailure(job: IndexAssetJobPayload, f: { code: string; detail: string }, started: number): Promise<void> {
    await this.db.run(job.tenantId, async (tx) => {
      await this.jobs.fail(tx, job.jobId, f);
      await this.audit.record(tx, {
        actor: { type: 'system' },
        action: AuditAction.AssetIndexFailed,
        target: { type: 'asset', id: job.assetId },
        outcome: 'error',
        details: { jobId: job.jobId, code: f.code, latencyMs: Date.now() - started },
      });
    });
  }
}
