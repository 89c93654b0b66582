import { type TenantId } from '@app/contracts';

/** One face's embedding as the database holds it (decrypted), with its insertion order. */
export interface SourceEmbedding {
  readonly faceId: string;
  /** Strictly increasing per insert (a bigint column read as a number; ≤ 2^53). */
  readonly seq: number;
  readonly vector: Float32Array;
}

/**
 * PORT: the source of truth the index is (re)built from — the tenant's live faces and their embeddings
 * in Postgres. The vector-index service never writes through it.
 */
export interface EmbeddingSource {
  /**
   * The tenant's live faces with seq > afterSeq, in ascending seq order, in batches of about batchSize.
   * Deleted faces are not returned. Vectors need not be normalised.
   */
  streamSince(tenantId: TenantId, afterSeq: bigint | number, batchSize: number): AsyncIterable<SourceEmbedding[]>;
  /** The highest seq of the tenant's faces (0 when it has none). */
  maxSeq(tenantId: TenantId): Promise<number>;
}

/** Injection token of the EmbeddingSource (the Postgres adapter in production). */
export const EMBEDDING_SOURCE = Symbol('EMBEDDING_SOURCE');
