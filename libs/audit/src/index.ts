export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { AuditAction, type AuditActor, type AuditInput, type AuditEventView } from './audit-event';
export { chainHash, GENESIS_HASH } from './audit-hash';
export { toAuditEventView } from './audit-event.mapper';
export { AuditQueryService, type AuditRange, type ChainVerification } from './audit-query.service';
