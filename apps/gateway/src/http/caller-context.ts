import { type ApiKeyPrincipal, type AuthenticatedRequest } from '@app/auth';
import { type TenantCallerContext } from '@app/tenants';

/** What use cases need to know about the calling key and request. */
export const callerContext = (p: ApiKeyPrincipal, req: AuthenticatedRequest): TenantCallerContext => ({
  tenantId: p.tenantId,
  keyId: p.keyId,
  role: p.role,
  requestId: req.requestId ?? null,
});
