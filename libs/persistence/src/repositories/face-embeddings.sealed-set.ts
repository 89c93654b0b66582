import { Injectable } from '@nestjs/common';
import { type SealedDataSet, type TenantId } from '@app/contracts';
import { EnvelopeService } from '@app/crypto';
import { TenantDb } from '../tenant-db';
import { FaceRepository } from './face.repository';

/** Stored embeddings as a data set the key rotation re-seals (AAD: tenant, face, model). */
@Injectable()
export class FaceEmbeddingsSealedSet implements SealedDataSet {
  readonly name = 'face-embeddings';

  constructor(
    private readonly db: TenantDb,
    private readonly faces: FaceRepository,
    private readonly envelope: EnvelopeService,
  ) {}

  async reencryptBatch(tenantId: TenantId, version: number, batchSize: number): Promise<number> {
    return this.db.run(tenantId, async (tx) => {
      const rows = await this.faces.lockStaleEmbeddings(tx, version, batchSize);
      for (const r of rows) {
        const modelKey = `${r.modelSet}@${r.modelVersion}`;
        const sealed = await this.envelope.reencrypt(tenantId, r.embedding, r.id, modelKey);
        await this.faces.updateEmbedding(tx, r.id, sealed, this.envelope.keyVersionOf(sealed));
      }
      return rows.length;
    });
  }
}
