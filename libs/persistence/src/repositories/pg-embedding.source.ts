import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { EnvelopeService } from '@app/crypto';
import { TenantDb } from '../tenant-db';
import { FaceRepository } from './face.repository';

export interface EmbeddingBatchItem {
  faceId: string;
  seq: number;
  vector: Float32Array;
}

/**
 * The database as the vector index's source of truth: a tenant's embeddings in seq order, decrypted
 * a batch at a time (one short transaction per batch, so a large tenant never holds a long one).
 */
@Injectable()
export class PgEmbeddingSource {
  constructor(
    private readonly db: TenantDb,
    private readonly faces: FaceRepository,
    private readonly envelope: EnvelopeService,
  ) {}

  async *streamSince(tenantId: TenantId, afterSeq: number | bigint, batchSize: number): AsyncIterable<EmbeddingBatchItem[]> {
    let cursor = Number(afterSeq);
    for (;;) {
      const rows = await this.db.run(tenantId, (tx) => this.faces.sealedSince(tx, cursor, batchSize));
      if (rows.length === 0) return;
      const vectors = await this.envelope.decryptMany(
        tenantId,
        rows.map((r) => ({ faceId: r.id, modelVersion: `${r.modelSet}@${r.modelVersion}`, blob: r.embedding })),
      );
      yield rows.map((r, i) => ({ faceId: r.id, seq: r.seq, vector: vectors[i] }));
      cursor = rows[rows.length - 1].seq;
      if (rows.length < batchSize) return;
    }
  }

  async maxSeq(tenantId: TenantId): Promise<number> {
    const [row] = await this.db.run(tenantId, (tx) =>
      tx.manager.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM faces WHERE tenant_id = $1`, [tx.tenantId]),
    ) as { seq: string }[];
    return Number(row.seq);
  }
}
