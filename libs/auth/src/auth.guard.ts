import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { AuditAction, AuditService } from '@app/audit';
import { ACCESS_KEY, type AccessRule } from './access.decorator';
import { AuthError, AuthErrorCode } from './auth.error';
import { Authenticator } from './authenticator.service';
import { type AuthenticatedRequest } from './principal';

/**
 * Global guard: 401 when the credential is missing or invalid, 403 when it is valid but not allowed
 * here (API.md). Tenant-scoped denials are audited. A route without an access rule is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    if (!rule) {
      this.logger.error({ msg: 'route has no access rule; refusing', path: req.route?.path as string | undefined });
      throw new AuthError(AuthErrorCode.WrongRole, 'This route is not available.');
    }
    if (rule.kind === 'public') return true;

    const principal = await this.authenticator.authenticate(req.headers.authorization);
    req.principal = principal;

    if (rule.kind === 'operator') {
      if (principal.kind !== 'operator') throw new AuthError(AuthErrorCode.OperatorOnly, 'This route needs the operator token.');
      return true;
    }
    if (principal.kind === 'operator') {
      if (rule.operator) return true;
      throw new AuthError(AuthErrorCode.TenantOnly, 'This route needs a tenant API key; the operator token manages tenants only.');
    }
    if (!rule.roles.includes(principal.role)) {
      await this.audit.recordDenied(principal.tenantId, {
        actor: { type: 'apiKey', keyId: principal.keyId, role: principal.role },
        action: AuditAction.AccessDenied,
        target: { type: 'route', id: `${req.method} ${(req.route?.path as string | undefined) ?? req.path}` },
        requestId: req.requestId ?? null,
      });
      throw new AuthError(AuthErrorCode.WrongRole, `This route needs one of the roles: ${rule.roles.join(', ')}.`);
    }
    return true;
  }
}
