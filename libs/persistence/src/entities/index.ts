import { ApiKeyEntity } from './api-key.entity';
import { AuditChainHeadEntity } from './audit-chain-head.entity';
import { AuditEventEntity } from './audit-event.entity';
import { TenantEntity } from './tenant.entity';

export { ApiKeyEntity, AuditChainHeadEntity, AuditEventEntity, TenantEntity };
export type { QualityFilter } from './tenant.entity';
export type { AuditActorType, AuditOutcome, AuditDetails } from './audit-event.entity';

export const ENTITIES = [TenantEntity, ApiKeyEntity, AuditEventEntity, AuditChainHeadEntity];
