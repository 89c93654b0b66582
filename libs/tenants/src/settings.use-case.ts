import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '@app/audit';
import { type SealedTenantSecret, TenantDb, TenantRepository, TenantSecretsSealedSet, type TenantSettingsPatch } from '@app/persistence';
import { actorOf, type TenantCallerContext } from './caller';
import { TenantsError, TenantsErrorCode } from './tenants.error';
import { toSettingsView, type SettingsView } from './views';

/** A settings change as the API takes it: the webhook secret in clear (null removes it). */
export type SettingsPatch = Omit<TenantSettingsPatch, 'webhookSecret'> & { webhookSecret?: string | null };

/**
 * Admin: read the tenant's settings (the webhook secret is write-only: only whether it is set). A legacy
 * plaintext webhook secret is sealed and cleared first (see TenantSecretsSealedSet).
 */
@Injectable()
export class GetSettings {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly secrets: TenantSecretsSealedSet,
  ) {}

  async execute(caller: TenantCallerContext): Promise<SettingsView> {
    const tenant = await this.db.run(caller.tenantId, async (tx) => {
      await this.secrets.sealLegacyWebhookSecret(tx);
      return this.tenants.get(tx);
    });
    if (!tenant) throw new TenantsError(TenantsErrorCode.TenantNotFound, 'The tenant no longer exists.');
    return toSettingsView(tenant);
  }
}

/**
 * Admin: change settings. A new webhook secret is sealed under the tenant's data key before it is
 * stored; the audit event names the fields changed, never the webhook secret.
 */
@Injectable()
export class UpdateSettings {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly secrets: TenantSecretsSealedSet,
    private readonly audit: AuditService,
  ) {}

  async execute(caller: TenantCallerContext, patch: SettingsPatch): Promise<SettingsView> {
    const { webhookSecret, ...fields } = patch;
    // Sealed before the transaction: it may wait on KMS, and no row lock should wait with it.
    let sealed: SealedTenantSecret | null | undefined = webhookSecret === null ? null : undefined;
    if (typeof webhookSecret === 'string') {
      const plaintext = Buffer.from(webhookSecret, 'utf8');
      try {
        sealed = await this.secrets.sealWebhookSecret(caller.tenantId, plaintext);
      } finally {
        plaintext.fill(0);
      }
    }
    return this.db.run(caller.tenantId, async (tx) => {
      // A new secret (or null) replaces a legacy one anyway; otherwise seal the legacy one now.
      if (sealed === undefined) await this.secrets.sealLegacyWebhookSecret(tx);
      const tenant = await this.tenants.updateSettings(tx, sealed === undefined ? fields : { ...fields, webhookSecret: sealed });
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
