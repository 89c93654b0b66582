import { Injectable } from '@nestjs/common';
import { ASSET_ID_PATTERN, isUuid } from '@app/contracts';
import { FaceRepository, IndexJobRepository, TenantDb } from '@app/persistence';
import { type IndexCaller } from './request-indexing.use-case';
import { IndexingError, IndexingErrorCode } from './indexing.error';
import { type FaceView, type IndexJobView, toFaceView, toJobView } from './views';

/** Integrator: an index job's state, from Postgres (the queue may have dropped finished jobs). */
@Injectable()
export class GetIndexJob {
  constructor(
    private readonly db: TenantDb,
    private readonly jobs: IndexJobRepository,
  ) {}

  async execute(caller: IndexCaller, jobId: string): Promise<IndexJobView> {
    const job = isUuid(jobId) ? await this.db.run(caller.tenantId, (tx) => this.jobs.get(tx, jobId.toLowerCase())) : null;
    if (!job) throw new IndexingError(IndexingErrorCode.JobNotFound, 'No index job with this id in this tenant.');
    return toJobView(job);
  }
}

/** Integrator: the faces of one asset. */
@Injectable()
export class ListAssetFaces {
  constructor(
    private readonly db: TenantDb,
    private readonly faces: FaceRepository,
  ) {}

  async execute(caller: IndexCaller, assetId: string): Promise<{ assetId: string; faces: FaceView[] }> {
    if (!ASSET_ID_PATTERN.test(assetId)) throw new IndexingError(IndexingErrorCode.InvalidAssetId, 'assetId must be 1-200 characters of A-Za-z0-9._:-');
    const rows = await this.db.run(caller.tenantId, async (tx) => {
      if (!(await this.faces.assetExists(tx, assetId))) return null;
      return this.faces.listByAsset(tx, assetId);
    });
    if (!rows) throw new IndexingError(IndexingErrorCode.AssetNotFound, 'No asset with this id in this tenant.');
    return { assetId, faces: rows.map(toFaceView) };
  }
}

/** Integrator: every face of the tenant, in indexing order, keyset-paginated. */
@Injectable()
export class ListFaces {
  constructor(
    private readonly db: TenantDb,
    private readonly faces: FaceRepository,
  ) {}

  async execute(caller: IndexCaller, limit: number, cursor?: string): Promise<{ items: FaceView[]; nextCursor: string | null }> {
    let after = 0;
    if (cursor) {
      const decoded = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (!Number.isSafeInteger(decoded) || decoded < 0) throw new IndexingError(IndexingErrorCode.InvalidCursor, 'The cursor is not valid.');
      after = decoded;
    }
    const rows = await this.db.run(caller.tenantId, (tx) => this.faces.list(tx, limit + 1, after));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toFaceView), nextCursor: rows.length > limit && last ? Buffer.from(String(last.seq)).toString('base64url') : null };
  }
}
