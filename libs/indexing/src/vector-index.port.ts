import { type TenantId } from '@app/contracts';

/** What indexing needs of the vector index (the vector-client implements it). */
export interface VectorIndexWriter {
  add(tenantId: TenantId, entries: { faceId: string; vector: Float32Array; seq?: number }[]): Promise<unknown>;
  remove(tenantId: TenantId, faceIds: string[]): Promise<{ removed: number }>;
}

export const VECTOR_INDEX_WRITER = Symbol('VECTOR_INDEX_WRITER');
