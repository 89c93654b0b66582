import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { FaceRepository, TenantDb } from '@app/persistence';
import { VectorIndexClient } from '@app/vector-client';

export interface FaceMatch {
  faceId: string;
  assetId: string;
  similarity: number;
  boundingBox: { left: number; top: number; width: number; height: number };
  personId?: string;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * Vector index candidates → faces that exist in Postgres under this tenant's RLS, so a face deleted
 * after the index saw it is never returned, whatever the index's state.
 */
@Injectable()
export class MatchResolver {
  constructor(
    private readonly vectors: VectorIndexClient,
    private readonly db: TenantDb,
    private readonly faces: FaceRepository,
  ) {}

  async matches(tenantId: TenantId, vector: Float32Array, maxResults: number, threshold: number, exclude?: string): Promise<FaceMatch[]> {
    const k = Math.min(maxResults + (exclude ? 1 : 0) + 10, 1000);
    const hits = (await this.vectors.search(tenantId, vector, k, threshold)).filter((h) => h.faceId !== exclude && h.similarity >= threshold);
    if (hits.length === 0) return [];
    const rows = await this.db.run(tenantId, (tx) => this.faces.findByIds(tx, hits.map((h) => h.faceId)));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: FaceMatch[] = [];
    for (const h of hits) {
      const f = byId.get(h.faceId);
      if (!f) continue;
      out.push({
        faceId: f.id,
        assetId: f.assetId,
        similarity: round(h.similarity),
        boundingBox: { left: round(f.box.left), top: round(f.box.top), width: round(f.box.width), height: round(f.box.height) },
        ...(f.personId ? { personId: f.personId } : {}),
      });
    }
    return out.sort((a, b) => b.similarity - a.similarity).slice(0, maxResults);
  }
}
