import { type TenantId } from '@app/contracts';
import { type AuditEventEntity } from '@app/persistence';
import { type AuditEventView } from './audit-event';

export function toAuditEventView(e: AuditEventEntity): AuditEventView {
  const actor: AuditEventView['actor'] = { type: e.actorType };
  if (e.actorKeyId) actor.keyId = e.actorKeyId;
  if (e.actorRole) actor.role = e.actorRole;
  return {
    eventId: e.id,
    seq: Number(e.seq),
    at: e.at.toISOString(),
    tenantId: e.tenantId as TenantId,
    actor,
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    outcome: e.outcome,
    details: e.details,
    requestId: e.requestId,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
