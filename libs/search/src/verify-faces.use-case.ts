import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@app/audit';
import { QueryEmbedder, type QueryImage } from './query-embedder';
import { SearchError, SearchErrorCode } from './search.error';
import { type SearchCaller, ThresholdPolicy } from './search-faces.use-case';

export type VerifySide = { kind: 'image'; image: QueryImage } | { kind: 'face'; faceId: string } | { kind: 'person'; personId: string };

/** Are these the same person? Each side an image (its largest face) or a stored face. */
@Injectable()
export class VerifyFaces {
  constructor(
    private readonly embedder: QueryEmbedder,
    private readonly thresholds: ThresholdPolicy,
    private readonly audit: AuditService,
  ) {}

  async execute(caller: SearchCaller, a: VerifySide, b: VerifySide, requestedThreshold?: number): Promise<{ match: boolean; similarity: number; threshold: number }> {
    const started = Date.now();
    const threshold = await this.thresholds.resolve(caller.tenantId, requestedThreshold);
    const [va, vb] = [await this.embed(caller, a), await this.embed(caller, b)];
    try {
      let dot = 0;
      for (let i = 0; i < va.length; i++) dot += va[i] * vb[i];
      const similarity = Math.round(Math.max(0, Math.min(1, dot)) * 1e4) / 1e4;
      await this.audit.recordAlone(caller.tenantId, {
        actor: { type: 'apiKey', keyId: caller.keyId, role: caller.role },
        action: AuditAction.Verify,
        target: { type: 'verify', id: null },
        details: { match: similarity >= threshold, latencyMs: Date.now() - started },
        requestId: caller.requestId,
      });
      return { match: similarity >= threshold, similarity, threshold };
    } finally {
      va.fill(0);
      vb.fill(0);
    }
  }

  private async embed(caller: SearchCaller, side: VerifySide): Promise<Float32Array> {
    switch (side.kind) {
      case 'face':
        return this.embedder.fromFace(caller.tenantId, side.faceId);
      case 'image': {
        const { faces } = await this.embedder.fromImage(side.image, 1);
        return faces[0].embedding;
      }
      case 'person':
        throw new SearchError(SearchErrorCode.PersonNotSupported, 'Verifying against a person arrives with the persons API.');
    }
  }
}
