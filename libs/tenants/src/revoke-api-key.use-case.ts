import { Injectable } from '@nestjs/common';
import { type ApiKeyId, Role } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { ApiKeyRepository, TenantDb } from '@app/persistence';
import { actorOf, type TenantCallerContext } from './caller';
import { TenantsError, TenantsErrorCode } from './tenants.error';
import { toApiKeyView, type ApiKeyView } from './views';

/**
 * Admin: revoke a key. Authentication reads the key row on every request, so the next request with
 * it is refused. Revoking the tenant's last active admin key is refused (it would lock the tenant out).
 */
@Injectable()
export class RevokeApiKey {
  constructor(
    private readonly db: TenantDb,
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditService,
  ) {}

  async execute(caller: TenantCallerContext, id: ApiKeyId, now: Date = new Date()): Promise<ApiKeyView> {
    return this.db.run(caller.tenantId, async (tx) => {
      const key = await this.keys.findById(tx, id);
      if (!key) throw new TenantsError(TenantsErrorCode.ApiKeyNotFound, 'No API key with this id in this tenant.');
      if (key.revokedAt) return toApiKeyView(key);
      if (key.role === Role.Admin) {
        const activeAdmins = (await this.keys.list(tx, false)).filter((k) => k.role === Role.Admin);
        if (activeAdmins.length <= 1) {
          throw new TenantsError(TenantsErrorCode.LastAdminKey, 'This is the tenant\'s last active admin key; create another admin key first.');
        }
      }
      const revoked = await this.keys.revoke(tx, id, now);
      await this.audit.record(tx, {
        actor: actorOf(caller),
        action: AuditAction.ApiKeyRevoked,
        target: { type: 'apiKey', id },
        details: { role: key.role },
        requestId: caller.requestId,
      });
      return toApiKeyView(revoked ?? key);
    });
  }
}
