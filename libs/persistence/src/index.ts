export { PersistenceModule } from './persistence.module';
export { TenantDb, type TenantTx, type OperatorTx } from './tenant-db';
export { PersistenceError, PersistenceErrorCode } from './persistence.error';
export { prepareDatabase } from './database-bootstrap';
export { appDatabaseUrl } from './data-source.factory';
export {
  TenantEntity,
  ApiKeyEntity,
  AuditEventEntity,
  type QualityFilter,
  type AuditActorType,
  type AuditOutcome,
  type AuditDetails,
} from './entities';
export {
  TenantRepository,
  type NewTenant,
  type TenantSettingsPatch,
  type TenantCounts,
  type SealedTenantSecret,
} from './repositories/tenant.repository';
export { ApiKeyRepository, type NewApiKey, type ApiKeyCredential } from './repositories/api-key.repository';
export {
  AuditEventRepository,
  type ChainHead,
  type NewAuditEvent,
  type AuditEventFilter,
} from './repositories/audit-event.repository';
export { PgWrappedKeyStore } from './repositories/pg-wrapped-key.store';
export {
  FaceRepository,
  type NewFace,
  type StoredFace,
  type FaceBox,
  type SealedEmbeddingRow,
  type ReplaceFacesOutcome,
} from './repositories/face.repository';
export { FaceErasureRepository, type FaceSelector, type ErasedFace, type CancelledIndexJob } from './repositories/face-erasure.repository';
export { FaceEmbeddingsSealedSet } from './repositories/face-embeddings.sealed-set';
export { TenantSecretsSealedSet, WEBHOOK_SECRET_PURPOSE } from './repositories/tenant-secrets.sealed-set';
export {
  DeletionRepository,
  type DeletionRecord,
  type DeletionCounts,
  type DeletionScope,
  type DeletionStatus,
} from './repositories/deletion.repository';
export { IndexJobRepository, type IndexJobRecord, type IndexJobStatus, type SourceKind } from './repositories/index-job.repository';
export { PgEmbeddingSource, type EmbeddingBatchItem } from './repositories/pg-embedding.source';
