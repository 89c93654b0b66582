import { Injectable } from '@nestjs/common';
import { type TenantTx } from '../tenant-db';

export interface FaceBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface NewFace {
  id: string;
  box: FaceBox;
  confidence: number;
  quality: Record<string, number>;
  modelSet: string;
  modelVersion: string;
  keyVersion: number;
  embedding: Buffer;
}

export interface StoredFace {
  id: string;
  assetId: string;
  seq: number;
  box: FaceBox;
  confidence: number;
  quality: Record<string, number>;
  personId: string | null;
  modelSet: string;
  modelVersion: string;
  indexedAt: Date;
}

export interface SealedEmbeddingRow {
  id: string;
  seq: number;
  modelSet: string;
  modelVersion: string;
  keyVersion: number;
  embedding: Buffer;
}

export type ReplaceFacesOutcome = { kind: 'written'; replaced: number; inserted: number } | { kind: 'asset_deleted' };

interface FaceRow {
  id: string;
  asset_id: string;
  seq: string;
  box_left: number;
  box_top: number;
  box_width: number;
  box_height: number;
  confidence: number;
  quality: Record<string, number>;
  person_id: string | null;
  model_set: string;
  model_version: string;
  indexed_at: Date;
}

const FACE_COLUMNS = 'id, asset_id, seq::text AS seq, box_left, box_top, box_width, box_height, confidence, quality, person_id, model_set, model_version, indexed_at';

/** A face's sealed embedding and what opens it: what the vector index loads and key rotation re-seals. */
const SEALED_COLUMNS = 'id, seq::text AS seq, model_set, model_version, key_version, embedding';

interface SealedRow {
  id: string;
  seq: string;
  model_set: string;
  model_version: string;
  key_version: number;
  embedding: Buffer;
}

const toSealedEmbedding = (r: SealedRow): SealedEmbeddingRow => ({
  id: r.id,
  seq: Number(r.seq),
  modelSet: r.model_set,
  modelVersion: r.model_version,
  keyVersion: r.key_version,
  embedding: r.embedding,
});

const toStoredFace = (r: FaceRow): StoredFace => ({
  id: r.id,
  assetId: r.asset_id,
  seq: Number(r.seq),
  box: { left: r.box_left, top: r.box_top, width: r.box_width, height: r.box_height },
  confidence: r.confidence,
  quality: r.quality,
  personId: r.person_id,
  modelSet: r.model_set,
  modelVersion: r.model_version,
  indexedAt: r.indexed_at,
});

@Injectable()
export class FaceRepository {
  /** The asset's deletion generation, creating the asset row at generation 0 when it is new. */
  async assetGeneration(tx: TenantTx, assetId: string): Promise<number> {
    // One round trip for the usual cases: the row inserted now, or the one already there. A row that a
    // concurrent transaction inserted and committed while this statement waited is not in its
    // snapshot: read again.
    const [row] = (await tx.manager.query(
      `WITH inserted AS (
         INSERT INTO assets (tenant_id, asset_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING deletion_generation
       )
       SELECT deletion_generation FROM inserted
       UNION ALL
       SELECT deletion_generation FROM assets WHERE tenant_id = $1 AND asset_id = $2
       LIMIT 1`,
      [tx.tenantId, assetId],
    )) as { deletion_generation: number }[];
    if (row) return row.deletion_generation;
    const [again] = (await tx.manager.query(`SELECT deletion_generation FROM assets WHERE tenant_id = $1 AND asset_id = $2`, [tx.tenantId, assetId])) as {
      deletion_generation: number;
    }[];
    if (!again) throw new Error(`asset ${assetId} vanished while its generation was read (tenant deleted?)`);
    return again.deletion_generation;
  }

  /**
   * Replaces the asset's faces in one transaction, unless the asset was deleted since the job read
   * `expectedGeneration` (the row lock makes a concurrent deletion wait or win, never interleave).
   */
  async replaceAssetFaces(tx: TenantTx, assetId: string, expectedGeneration: number, contentSha256: string, faces: NewFace[], now: Date): Promise<ReplaceFacesOutcome> {
    // The asset row, created if a purge removed it, locked for the transaction: the no-op DO UPDATE
    // takes a row lock (FOR NO KEY UPDATE: it waits for the eraser's UPDATE and other indexing
    // transactions of the asset) and returns the current generation. The price is one row version.
    const [asset] = (await tx.manager.query(
      `INSERT INTO assets (tenant_id, asset_id) VALUES ($1, $2)
       ON CONFLICT (tenant_id, asset_id) DO UPDATE SET deletion_generation = assets.deletion_generation
       RETURNING deletion_generation`,
      [tx.tenantId, assetId],
    )) as { deletion_generation: number }[];
    if (asset!.deletion_generation !== expectedGeneration) return { kind: 'asset_deleted' };

    // Old faces out, new ones in, the asset stamped: one statement (one round trip) after the lock.
    // Its snapshot is taken after the lock is held, so it sees every face committed before; the
    // DELETE sees only those, never the rows the INSERT beside it adds.
    const params: unknown[] = [tx.tenantId, assetId, contentSha256, now];
    const values = faces.map((f) => {
      const at = params.length;
      params.push(f.id, f.box.left, f.box.top, f.box.width, f.box.height, f.confidence, JSON.stringify(f.quality), f.modelSet, f.modelVersion, f.keyVersion, f.embedding);
      const p = (i: number) => `$${at + i}`;
      return `(${p(1)}, $1, $2, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, $4)`;
    });
    const insert = values.length
      ? `, inserted AS (
           INSERT INTO faces (id, tenant_id, asset_id, box_left, box_top, box_width, box_height, confidence, quality, model_set, model_version, key_version, embedding, indexed_at)
           VALUES ${values.join(', ')} RETURNING 1)`
      : '';
    const [row] = (await tx.manager.query(
      `WITH deleted AS (DELETE FROM faces WHERE tenant_id = $1 AND asset_id = $2 RETURNING 1)${insert},
            stamped AS (UPDATE assets SET content_sha256 = $3, indexed_at = $4 WHERE tenant_id = $1 AND asset_id = $2 RETURNING 1)
       SELECT (SELECT count(*) FROM deleted)::int AS replaced`,
      params,
    )) as { replaced: number }[];
    const replaced = row!.replaced;
    return { kind: 'written', replaced, inserted: faces.length };
  }

  async listByAsset(tx: TenantTx, assetId: string): Promise<StoredFace[]> {
    const rows = (await tx.manager.query(`SELECT ${FACE_COLUMNS} FROM faces WHERE tenant_id = $1 AND asset_id = $2 ORDER BY faces.seq`, [tx.tenantId, assetId])) as FaceRow[];
    return rows.map(toStoredFace);
  }

  async assetExists(tx: TenantTx, assetId: string): Promise<boolean> {
    const rows = (await tx.manager.query(`SELECT 1 FROM assets WHERE tenant_id = $1 AND asset_id = $2`, [tx.tenantId, assetId])) as unknown[];
    return rows.length > 0;
  }

  /** Keyset page over the tenant's faces in insertion order. */
  async list(tx: TenantTx, limit: number, afterSeq = 0): Promise<StoredFace[]> {
    const rows = (await tx.manager.query(`SELECT ${FACE_COLUMNS} FROM faces WHERE tenant_id = $1 AND seq > $2 ORDER BY faces.seq LIMIT $3`, [tx.tenantId, afterSeq, limit])) as FaceRow[];
    return rows.map(toStoredFace);
  }

  async findByIds(tx: TenantTx, ids: readonly string[]): Promise<StoredFace[]> {
    if (ids.length === 0) return [];
    const rows = (await tx.manager.query(`SELECT ${FACE_COLUMNS} FROM faces WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, ids])) as FaceRow[];
    return rows.map(toStoredFace);
  }

  /** Sealed embeddings newer than `afterSeq`, for (re)building the tenant's vector index. */
  async sealedSince(tx: TenantTx, afterSeq: number, limit: number): Promise<SealedEmbeddingRow[]> {
    const rows = (await tx.manager.query(
      `SELECT ${SEALED_COLUMNS} FROM faces WHERE tenant_id = $1 AND seq > $2 ORDER BY faces.seq LIMIT $3`,
      [tx.tenantId, afterSeq, limit],
    )) as SealedRow[];
    return rows.map(toSealedEmbedding);
  }

  async sealedByIds(tx: TenantTx, ids: readonly string[]): Promise<SealedEmbeddingRow[]> {
    const rows = (await tx.manager.query(
      `SELECT ${SEALED_COLUMNS} FROM faces WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenantId, ids],
    )) as SealedRow[];
    return rows.map(toSealedEmbedding);
  }

  /** Rows still sealed under an older data-key version, locked for re-sealing (other workers skip them). */
  async lockStaleEmbeddings(tx: TenantTx, belowVersion: number, limit: number): Promise<SealedEmbeddingRow[]> {
    const rows = (await tx.manager.query(
      `SELECT ${SEALED_COLUMNS} FROM faces
        WHERE tenant_id = $1 AND key_version < $2 ORDER BY faces.seq LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [tx.tenantId, belowVersion, limit],
    )) as SealedRow[];
    return rows.map(toSealedEmbedding);
  }

  async updateEmbedding(tx: TenantTx, id: string, embedding: Buffer, keyVersion: number): Promise<void> {
    await tx.manager.query(`UPDATE faces SET embedding = $3, key_version = $4 WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id, embedding, keyVersion]);
  }

  async count(tx: TenantTx): Promise<number> {
    const [row] = (await tx.manager.query(`SELECT count(*)::int AS n FROM faces WHERE tenant_id = $1`, [tx.tenantId])) as { n: number }[];
    return row.n;
  }
}
