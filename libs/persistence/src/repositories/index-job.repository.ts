import { Injectable } from '@nestjs/common';
import { type TenantTx } from '../tenant-db';
import { updatedRows } from './returning-rows';

export type IndexJobStatus = 'queued' | 'active' | 'completed' | 'failed';
export type SourceKind = 'upload' | 'url' | 's3';

export interface IndexJobRecord {
  id: string;
  assetId: string;
  status: IndexJobStatus;
  sourceKind: SourceKind;
  contentSha256: string | null;
  options: Record<string, unknown>;
  assetGeneration: number;
  facesIndexed: number | null;
  unindexedFaces: { reason: string }[] | null;
  error: { code: string; detail: string } | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

interface Row {
  id: string;
  asset_id: string;
  status: IndexJobStatus;
  source_kind: SourceKind;
  content_sha256: string | null;
  options: Record<string, unknown>;
  asset_generation: number;
  faces_indexed: number | null;
  unindexed_faces: { reason: string }[] | null;
  error: { code: string; detail: string } | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

const toRecord = (r: Row): IndexJobRecord => ({
  id: r.id,
  assetId: r.asset_id,
  status: r.status,
  sourceKind: r.source_kind,
  contentSha256: r.content_sha256,
  options: r.options,
  assetGeneration: r.asset_generation,
  facesIndexed: r.faces_indexed,
  unindexedFaces: r.unindexed_faces,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  completedAt: r.completed_at,
});

@Injectable()
export class IndexJobRepository {
  /** Inserts the job unless one with this (deterministic) id exists; returns the stored one and whether it is new. */
  async insertIfAbsent(
    tx: TenantTx,
    job: Pick<IndexJobRecord, 'id' | 'assetId' | 'sourceKind' | 'contentSha256' | 'options' | 'assetGeneration'>,
  ): Promise<{ job: IndexJobRecord; created: boolean }> {
    const inserted = (await tx.manager.query(
      `INSERT INTO index_jobs (id, tenant_id, asset_id, status, source_kind, content_sha256, options, asset_generation)
       VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [job.id, tx.tenantId, job.assetId, job.sourceKind, job.contentSha256, JSON.stringify(job.options), job.assetGeneration],
    )) as Row[];
    if (inserted[0]) return { job: toRecord(inserted[0]), created: true };
    const stored = await this.get(tx, job.id);
    if (!stored) throw new Error('index job vanished after insert');
    return { job: stored, created: false };
  }

  async get(tx: TenantTx, id: string): Promise<IndexJobRecord | null> {
    const rows = (await tx.manager.query(`SELECT * FROM index_jobs WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id])) as Row[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Marks a queued (or re-delivered active) job active and returns it; a job that already ended, or
   * has no row visible yet, is returned as it is (null when missing). One statement when it starts.
   */
  async markActive(tx: TenantTx, id: string): Promise<IndexJobRecord | null> {
    const rows = (await tx.manager.query(
      `UPDATE index_jobs SET status = 'active', updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'active') RETURNING *`,
      [tx.tenantId, id],
    )) as [Row[], number] | Row[];
    const [row] = updatedRows(rows);
    return row ? toRecord(row) : this.get(tx, id);
  }

  async complete(tx: TenantTx, id: string, r: { contentSha256: string; facesIndexed: number; unindexedFaces: { reason: string }[] }): Promise<void> {
    await tx.manager.query(
      `UPDATE index_jobs SET status = 'completed', content_sha256 = $3, faces_indexed = $4, unindexed_faces = $5, error = NULL, updated_at = now(), completed_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tx.tenantId, id, r.contentSha256, r.facesIndexed, JSON.stringify(r.unindexedFaces)],
    );
  }

  async fail(tx: TenantTx, id: string, error: { code: string; detail: string }): Promise<void> {
    await tx.manager.query(
      `UPDATE index_jobs SET status = 'failed', error = $3, faces_indexed = 0, updated_at = now(), completed_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tx.tenantId, id, JSON.stringify(error)],
    );
  }
}
