import { Injectable } from '@nestjs/common';
import { type TenantTx } from '../tenant-db';
import { updatedRows } from './returning-rows';

/** Which of the tenant's faces a deletion takes. */
export type FaceSelector =
  | { readonly kind: 'face'; readonly faceId: string }
  | { readonly kind: 'asset'; readonly assetId: string }
  | { readonly kind: 'person'; readonly personId: string }
  /** Indexed before `before`, oldest first, at most `limit` (retention works in batches). */
  | { readonly kind: 'indexedBefore'; readonly before: Date; readonly limit: number }
  /** Every face of the tenant; with `limit`, the oldest `limit` of them (a purge in batches). */
  | { readonly kind: 'all'; readonly limit?: number };

/** A deleted row as it was: what the index and the receipt's verification need, nothing more. */
export interface ErasedFace {
  id: string;
  assetId: string;
  seq: number;
  modelSet: string;
  modelVersion: string;
  embedding: Buffer;
}

export interface CancelledIndexJob {
  id: string;
  assetId: string;
  sourceKind: string;
}

/** The faces the selector matches, as a `faces` subquery with `$1` the tenant and `$2` the selector's value. */
function facesWhere(s: FaceSelector): { sql: string; params: unknown[] } {
  switch (s.kind) {
    case 'face':
      return { sql: 'tenant_id = $1 AND id = $2::uuid', params: [s.faceId] };
    case 'asset':
      return { sql: 'tenant_id = $1 AND asset_id = $2', params: [s.assetId] };
    case 'person':
      return { sql: 'tenant_id = $1 AND person_id = $2::uuid', params: [s.personId] };
    case 'indexedBefore':
      return { sql: 'tenant_id = $1 AND id IN (SELECT id FROM faces WHERE tenant_id = $1 AND indexed_at < $2 ORDER BY indexed_at, seq LIMIT $3)', params: [s.before, s.limit] };
    case 'all':
      return s.limit === undefined
        ? { sql: 'tenant_id = $1', params: [] }
        : { sql: 'tenant_id = $1 AND id IN (SELECT id FROM faces WHERE tenant_id = $1 ORDER BY seq LIMIT $2)', params: [s.limit] };
  }
}

/**
 * The writes of the Face Data Delete API. Call them in one transaction, in this order: retireAssets
 * (row locks + generation bump: an indexing job of these assets that has not written yet never will,
 * one that is writing finishes first and its faces are then deleted here), eraseFaces, cancelIndexJobs.
 */
@Injectable()
export class FaceErasureRepository {
  /**
   * Bumps the deletion generation of every asset the selector touches (all the tenant's assets for
   * `all`, the named asset even when it has no faces) and returns their ids. A whole-asset deletion
   * also forgets the asset's content hash: nothing derived from the deleted image stays.
   */
  async retireAssets(tx: TenantTx, s: FaceSelector): Promise<string[]> {
    const forget = s.kind === 'asset' || s.kind === 'all' ? ', content_sha256 = NULL, indexed_at = NULL' : '';
    let where: string;
    let params: unknown[];
    if (s.kind === 'asset') {
      where = 'tenant_id = $1 AND asset_id = $2';
      params = [s.assetId];
    } else if (s.kind === 'all') {
      where = 'tenant_id = $1';
      params = [];
    } else {
      const f = facesWhere(s);
      where = `tenant_id = $1 AND asset_id IN (SELECT asset_id FROM faces WHERE ${f.sql})`;
      params = f.params;
    }
    const rows = (await tx.manager.query(
      `UPDATE assets SET deletion_generation = deletion_generation + 1${forget} WHERE ${where} RETURNING asset_id`,
      [tx.tenantId, ...params],
    )) as [{ asset_id: string }[], number] | { asset_id: string }[];
    return updatedRows(rows).map((r) => r.asset_id);
  }

  /** Deletes the selected faces (embeddings with them) and returns them as they were. */
  async eraseFaces(tx: TenantTx, s: FaceSelector): Promise<ErasedFace[]> {
    const f = facesWhere(s);
    const rows = (await tx.manager.query(
      `DELETE FROM faces WHERE ${f.sql} RETURNING id, asset_id, seq::text AS seq, model_set, model_version, embedding`,
      [tx.tenantId, ...f.params],
    )) as [ErasedRow[], number] | ErasedRow[];
    return updatedRows(rows).map((r) => ({ id: r.id, assetId: r.asset_id, seq: Number(r.seq), modelSet: r.model_set, modelVersion: r.model_version, embedding: r.embedding }));
  }

  /** Faces of a person lose the assignment and stay (DELETE /v1/persons/{id} without withFaces). */
  async unassignPerson(tx: TenantTx, personId: string): Promise<number> {
    const rows = (await tx.manager.query(`UPDATE faces SET person_id = NULL WHERE tenant_id = $1 AND person_id = $2::uuid RETURNING id`, [tx.tenantId, personId])) as
      | [unknown[], number]
      | unknown[];
    return updatedRows(rows).length;
  }

  async personHasFaces(tx: TenantTx, personId: string): Promise<boolean> {
    const rows = (await tx.manager.query(`SELECT 1 FROM faces WHERE tenant_id = $1 AND person_id = $2::uuid LIMIT 1`, [tx.tenantId, personId])) as unknown[];
    return rows.length > 0;
  }

  /** Queued or running index jobs of these assets (`all`: of the tenant) end as `cancelled`. */
  async cancelIndexJobs(tx: TenantTx, assets: readonly string[] | 'all'): Promise<CancelledIndexJob[]> {
    if (assets !== 'all' && assets.length === 0) return [];
    const error = JSON.stringify({ code: 'cancelled', detail: 'The asset was deleted.' });
    const rows = (await tx.manager.query(
      `UPDATE index_jobs SET status = 'failed', error = $2::jsonb, content_sha256 = NULL, updated_at = now(), completed_at = now()
        WHERE tenant_id = $1 AND status IN ('queued', 'active') ${assets === 'all' ? '' : 'AND asset_id = ANY($3::text[])'}
        RETURNING id, asset_id, source_kind`,
      assets === 'all' ? [tx.tenantId, error] : [tx.tenantId, error, assets],
    )) as [JobRow[], number] | JobRow[];
    return updatedRows(rows).map((r) => ({ id: r.id, assetId: r.asset_id, sourceKind: r.source_kind }));
  }

  /** Whether any face was indexed before `cutoff` (the retention sweep's cheap check per tenant). */
  async hasFacesIndexedBefore(tx: TenantTx, cutoff: Date): Promise<boolean> {
    const rows = (await tx.manager.query(`SELECT 1 FROM faces WHERE tenant_id = $1 AND indexed_at < $2 LIMIT 1`, [tx.tenantId, cutoff])) as unknown[];
    return rows.length > 0;
  }

  async faceExists(tx: TenantTx, faceId: string): Promise<boolean> {
    const rows = (await tx.manager.query(`SELECT 1 FROM faces WHERE tenant_id = $1 AND id = $2::uuid`, [tx.tenantId, faceId])) as unknown[];
    return rows.length > 0;
  }
}

interface ErasedRow {
  id: string;
  asset_id: string;
  seq: string;
  model_set: string;
  model_version: string;
  embedding: Buffer;
}

interface JobRow {
  id: string;
  asset_id: string;
  source_kind: string;
}
