import { type ApiKeyId, type Role, type TenantId } from '@app/contracts';

/** Who is calling, established by the guard from the bearer credential. */
export type Principal = OperatorPrincipal | ApiKeyPrincipal;

export interface OperatorPrincipal {
  kind: 'operator';
}

export interface ApiKeyPrincipal {
  kind: 'apiKey';
  keyId: ApiKeyId;
  tenantId: TenantId;
  role: Role;
}

/** Express request augmented by the guard. */
export interface AuthenticatedRequest {
  principal?: Principal;
  requestId?: string;
}
