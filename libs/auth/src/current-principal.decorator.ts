import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AuthError, AuthErrorCode } from './auth.error';
import { type ApiKeyPrincipal, type AuthenticatedRequest, type Principal } from './principal';

/** The caller as the guard established it. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new AuthError(AuthErrorCode.MissingCredentials, 'Send `Authorization: Bearer <key>`.');
  return principal;
});

/** The calling tenant key; only on routes guarded by @Roles(), where the guard guarantees one. */
export const TenantCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): ApiKeyPrincipal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal?.kind !== 'apiKey') throw new AuthError(AuthErrorCode.TenantOnly, 'This route needs a tenant API key.');
  return principal;
});
