/** Roles of tenant API keys (API.md "Conventions"). */
export enum Role {
  Integrator = 'integrator',
  Admin = 'admin',
  Auditor = 'auditor',
}

export const ROLES: readonly Role[] = [Role.Integrator, Role.Admin, Role.Auditor];
