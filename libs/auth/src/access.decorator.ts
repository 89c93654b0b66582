import { SetMetadata } from '@nestjs/common';
import { type Role } from '@app/contracts';

export const ACCESS_KEY = 'facesearch:access';

/** What a route requires. Every route must declare one; the guard refuses undeclared routes. */
export type AccessRule = { kind: 'public' } | { kind: 'operator' } | { kind: 'roles'; roles: readonly Role[]; operator?: boolean };

/** Tenant API keys with one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ACCESS_KEY, { kind: 'roles', roles } satisfies AccessRule);

/** Tenant keys with one of these roles, or the operator (e.g. receipts of a deleted tenant). */
export const RolesOrOperator = (...roles: Role[]) => SetMetadata(ACCESS_KEY, { kind: 'roles', roles, operator: true } satisfies AccessRule);

/** The operator token only (tenant management). */
export const OperatorOnly = () => SetMetadata(ACCESS_KEY, { kind: 'operator' } satisfies AccessRule);

/** No credentials (health, metrics, docs). */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies AccessRule);
