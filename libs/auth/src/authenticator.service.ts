import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ApiKeyRepository, TenantDb } from '@app/persistence';
import { constantTimeEquals, parseApiKey, secretMatches } from './api-key-token';
import { AuthError, AuthErrorCode } from './auth.error';
import { type Principal } from './principal';

/**
 * Turns a bearer credential into a Principal. Keys are looked up on every request (by a unique
 * index), so a revocation takes effect on the very next call; there is no cache to go stale.
 */
@Injectable()
export class Authenticator {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeyRepository,
    private readonly db: TenantDb,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthError(AuthErrorCode.MissingCredentials, 'Send `Authorization: Bearer <key>`.');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw new AuthError(AuthErrorCode.InvalidCredentials, 'The Authorization header must be `Bearer <key>`.');
    const token = m[1];

    const parsed = parseApiKey(token);
    if (!parsed) {
      if (constantTimeEquals(token, this.config.auth.operatorToken)) return { kind: 'operator' };
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'The credential is not valid.');
    }
    const key = await this.keys.findCredentialByPrefix(this.db, parsed.prefix);
    // Same message for unknown, wrong and revoked keys: a caller learns nothing about other keys.
    if (!key || !secretMatches(parsed.secret, key.secretHash) || key.revokedAt !== null) {
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'The credential is not valid.');
    }
    return { kind: 'apiKey', keyId: key.id, tenantId: key.tenantId, role: key.role };
  }
}
