import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@app/audit';
import { TenantDb, TenantRepository, type TenantSettingsPatch } from '@app/persistence';
import { actorOf, type TenantCallerContext } from './caller';
import { TenantsError, TenantsErrorCode } from './tenants.error';
import { toSettingsView, type SettingsView } from './views';

/** Admin: read the tenant's settings (the webhook secret is write-only: only whether it is set). */
@Injectable()
export class GetSettings {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
  ) {}

  async execute(caller: TenantCallerContext): Promise<SettingsView> {
    const tenant = await this.db.run(caller.tenantId, (tx) => this.tenants.get(tx));
    if (!tenant) throw new TenantsError(TenantsErrorCode.TenantNotFound, 'The tenant no longer exists.');
    return toSettingsView(tenant);
  }
}

/** Admin: change settings; the audit event names the fields changed, never the webhook secret. */
@Injectable()
export class UpdateSettings {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly audit: AuditService,
  ) {}

  async execute(caller: TenantCallerContext, patch: TenantSettingsPatch): Promise<SettingsView> {
    return this.db.run(caller.tenantId, async (tx) => {
      const tenant = await this.tenants.updateSettings(tx, patch);
      if (!tenant) throw new TenantsError(TenantsErrorCode.TenantNotFound, 'The tenant no longer exists.');
      await this.audit.record(tx, {
        actor: actorOf(caller),
        action: AuditAction.SettingsUpdated,
        target: { type: 'settings', id: caller.tenantId },
        details: { fields: Object.keys(patch).sort().join(',') },
        requestId: caller.requestId,
      });
      return toSettingsView(tenant);
    });
  }
}
