export { VectorIndexClient, type VectorIndexClientOptions, MAX_SEARCH_K, MAX_REMOVE_IDS } from './vector-index.client';
export { VectorClientModule } from './vector-client.module';
export { VectorIndexError, VectorIndexErrorCode, isVectorIndexError } from './vector-index.error';
export { pickReplica, rankReplicas } from './rendezvous';
export { encodeVector, decodeVector, normalizeVector } from './vector-codec';
export {
  type VectorEntry,
  type SearchHit,
  type AddResult,
  type RemoveOptions,
  type RemoveResult,
  type DropResult,
  type TenantIndexStats,
  type TenantIndexState,
} from './vector-index.types';
