import { Injectable } from '@nestjs/common';
import { type ApiKeyId, type Role, type TenantId } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { TenantDb, TenantRepository } from '@app/persistence';
import { type FaceMatch, MatchResolver } from './match-resolver';
import { QueryEmbedder, type QueryImage } from './query-embedder';

export interface SearchCaller {
  tenantId: TenantId;
  keyId: ApiKeyId;
  role: Role;
  requestId: string | null;
}

export interface QueryFaceResult {
  boundingBox: { left: number; top: number; width: number; height: number };
  confidence: number;
  matches: FaceMatch[];
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** Shared by the search use cases: the tenant's default threshold when the request gives none. */
@Injectable()
export class ThresholdPolicy {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
  ) {}

  async resolve(tenantId: TenantId, requested?: number): Promise<number> {
    if (requested !== undefined) return requested;
    const t = await this.db.run(tenantId, (tx) => this.tenants.get(tx));
    return t?.matchThreshold ?? 0.3;
  }
}

/** "Where else does this person appear?": the query image's faces (largest first) against the tenant's index. */
@Injectable()
export class SearchFacesByImage {
  constructor(
    private readonly embedder: QueryEmbedder,
    private readonly resolver: MatchResolver,
    private readonly thresholds: ThresholdPolicy,
    private readonly audit: AuditService,
  ) {}

  async execute(caller: SearchCaller, image: QueryImage, opts: { maxResults: number; threshold?: number; maxQueryFaces: number }): Promise<{ queryFaces: QueryFaceResult[] }> {
    const started = Date.now();
    const threshold = await this.thresholds.resolve(caller.tenantId, opts.threshold);
    const { analysis, faces } = await this.embedder.fromImage(image, opts.maxQueryFaces);
    try {
      const queryFaces: QueryFaceResult[] = [];
      for (const face of faces.slice(0, opts.maxQueryFaces)) {
        queryFaces.push({
          boundingBox: { left: round(face.box.left), top: round(face.box.top), width: round(face.box.width), height: round(face.box.height) },
          confidence: round(face.score),
          matches: await this.resolver.matches(caller.tenantId, face.embedding, opts.maxResults, threshold),
        });
      }
      await this.audit.recordAlone(caller.tenantId, {
        actor: { type: 'apiKey', keyId: caller.keyId, role: caller.role },
        action: AuditAction.SearchByImage,
        target: { type: 'search', id: null },
        details: { queryFaces: queryFaces.length, facesMatched: queryFaces.reduce((n, q) => n + q.matches.length, 0), captureHash: analysis.contentSha256, latencyMs: Date.now() - started },
        requestId: caller.requestId,
      });
      return { queryFaces };
    } finally {
      for (const f of faces) f.embedding.fill(0);
    }
  }
}

/** A stored face against the tenant's index (the face itself excluded). */
@Injectable()
export class SearchFacesByFace {
  constructor(
    private readonly embedder: QueryEmbedder,
    private readonly resolver: MatchResolver,
    private readonly thresholds: ThresholdPolicy,
    private readonly audit: AuditService,
  ) {}

  async execute(caller: SearchCaller, faceId: string, opts: { maxResults: number; threshold?: number }): Promise<{ matches: FaceMatch[] }> {
    const started = Date.now();
    const threshold = await this.thresholds.resolve(caller.tenantId, opts.threshold);
    const vector = await this.embedder.fromFace(caller.tenantId, faceId);
    try {
      const matches = await this.resolver.matches(caller.tenantId, vector, opts.maxResults, threshold, faceId);
      await this.audit.recordAlone(caller.tenantId, {
        actor: { type: 'apiKey', keyId: caller.keyId, role: caller.role },
        action: AuditAction.SearchByFace,
        target: { type: 'face', id: faceId },
        details: { facesMatched: matches.length, latencyMs: Date.now() - started },
        requestId: caller.requestId,
      });
      return { matches };
    } finally {
      vector.fill(0);
    }
  }
}
