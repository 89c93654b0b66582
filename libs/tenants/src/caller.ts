import { type ApiKeyId, type Role, type TenantId } from '@app/contracts';
import { type AuditActor } from '@app/audit';

/** A tenant API key acting, with the request it came in on (for the audit trail). */
export interface TenantCallerContext {
  tenantId: TenantId;
  keyId: ApiKeyId;
  role: Role;
  requestId: string | null;
}

export function actorOf(caller: TenantCallerContext): AuditActor {
  return { type: 'apiKey', keyId: caller.keyId, role: caller.role };
}
