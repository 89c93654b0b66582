import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { EnvelopeService } from '@app/crypto';
import { type AnalyzedFace, type FaceAnalysis } from '@app/face';
import { FaceEngineProvider, modelKey } from '@app/indexing';
import { FaceRepository, TenantDb } from '@app/persistence';
import { SourceFetcher } from '@app/sources';
import { SearchError, SearchErrorCode } from './search.error';

export type QueryImage = { kind: 'upload'; bytes: Buffer } | { kind: 'url'; url: string } | { kind: 's3'; bucket: string; key: string; versionId?: string };

/**
 * Turns a query (an image, or a stored face) into embeddings in this process: the image is fetched
 * or taken from the request, analysed, and its bytes zeroed; nothing of it is stored.
 */
@Injectable()
export class QueryEmbedder {
  constructor(
    private readonly engine: FaceEngineProvider,
    private readonly sources: SourceFetcher,
    private readonly db: TenantDb,
    private readonly faces: FaceRepository,
    private readonly envelope: EnvelopeService,
  ) {}

  async fromImage(image: QueryImage, maxFaces: number): Promise<{ analysis: FaceAnalysis; faces: readonly AnalyzedFace[] }> {
    const bytes =
      image.kind === 'upload'
        ? image.bytes
        : image.kind === 'url'
          ? await this.sources.fetch({ url: image.url })
          : await this.sources.fetch({ s3: { bucket: image.bucket, key: image.key, versionId: image.versionId } });
    try {
      const engine = await this.engine.get();
      // A query takes every detectable face: quality filtering is for what gets indexed.
      const analysis = await engine.analyze(bytes, { maxFaces, qualityFilter: 'none', minFaceSize: 0 });
      if (analysis.faces.length === 0) throw new SearchError(SearchErrorCode.NoFace, 'No usable face was found in the image.');
      return { analysis, faces: analysis.faces };
    } finally {
      bytes.fill(0);
    }
  }

  /** A stored face's embedding, decrypted; 404 when the face is not in this tenant. */
  async fromFace(tenantId: TenantId, faceId: string): Promise<Float32Array> {
    const [row] = await this.db.run(tenantId, (tx) => this.faces.sealedByIds(tx, [faceId]));
    if (!row) throw new SearchError(SearchErrorCode.FaceNotFound, 'No face with this id in this tenant.');
    return this.envelope.decrypt(tenantId, row.id, modelKey(row.modelSet, row.modelVersion), row.embedding);
  }
}
