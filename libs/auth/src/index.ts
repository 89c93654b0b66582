export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { Authenticator } from './authenticator.service';
export { AuthError, AuthErrorCode } from './auth.error';
export { Roles, RolesOrOperator, OperatorOnly, Public, type AccessRule } from './access.decorator';
export { CurrentPrincipal, TenantCaller } from './current-principal.decorator';
export { type Principal, type ApiKeyPrincipal, type OperatorPrincipal, type AuthenticatedRequest } from './principal';
export { issueApiKey, parseApiKey, type IssuedApiKey } from './api-key-token';
