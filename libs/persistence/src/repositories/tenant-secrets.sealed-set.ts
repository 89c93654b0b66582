import { Injectable } from '@nestjs/common';
import { type SealedDataSet, type TenantId } from '@app/contracts';
import { EnvelopeService } from '@app/crypto';
import { TenantDb, type TenantTx } from '../tenant-db';
import { type SealedTenantSecret, TenantRepository } from './tenant.repository';

/** AAD purpose of a sealed webhook secret: the blob opens for nothing else. */
export const WEBHOOK_SECRET_PURPOSE = 'webhook-secret';

/**
 * Tenant secrets stored in the `tenants` row (today: the webhook secret), sealed under the tenant's data
 * key. The one place that seals, opens and re-seals them, and a data set the key rotation re-seals:
 * without that, destroying the old key version would leave the secret unreadable.
 */
@Injectable()
export class TenantSecretsSealedSet implements SealedDataSet {
  readonly name = 'tenant-secrets';

  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly envelope: EnvelopeService,
  ) {}

  /**
   * Seals a webhook secret for TenantRepository.updateSettings. Call it before opening the transaction
   * (it may reach KMS). The caller still owns, and zero-fills, `plaintext`.
   */
  async sealWebhookSecret(tenantId: TenantId, plaintext: Buffer): Promise<SealedTenantSecret> {
    const sealed = await this.envelope.sealSecret(tenantId, WEBHOOK_SECRET_PURPOSE, plaintext);
    return { sealed, keyVersion: this.envelope.keyVersionOfSecret(sealed) };
  }

  /** Opens a stored webhook secret; the caller zero-fills the returned Buffer as soon as it has signed. */
  async openWebhookSecret(tenantId: TenantId, sealed: Buffer): Promise<Buffer> {
    return this.envelope.openSecret(tenantId, WEBHOOK_SECRET_PURPOSE, sealed);
  }

  /**
   * Seals and clears a legacy plaintext webhook secret (stored before migration 1764000000005) inside
   * `tx`, under a row lock: every path that touches the webhook secret calls this first, so the plaintext
   * is gone from the row the first time it is used. No-op (one indexed read, no KMS) when there is none.
   * Returns whether it sealed one.
   */
  async sealLegacyWebhookSecret(tx: TenantTx): Promise<boolean> {
    const legacy = await this.tenants.lockLegacyWebhookSecret(tx);
    if (legacy === null) return false;
    const plaintext = Buffer.from(legacy, 'utf8');
    try {
      await this.tenants.setWebhookSecret(tx, await this.sealWebhookSecret(tx.tenantId, plaintext));
    } finally {
      plaintext.fill(0);
    }
    return true;
  }

  async reencryptBatch(tenantId: TenantId, version: number): Promise<number> {
    return this.db.run(tenantId, async (tx) => {
      // A legacy plaintext value is sealed under the current version, i.e. it counts as re-sealed.
      if (await this.sealLegacyWebhookSecret(tx)) return 1;
      const stale = await this.tenants.lockStaleWebhookSecret(tx, version);
      if (!stale) return 0;
      const sealed = await this.envelope.reencryptSecret(tenantId, WEBHOOK_SECRET_PURPOSE, stale.sealed);
      const keyVersion = this.envelope.keyVersionOfSecret(sealed);
      // Would otherwise be found stale again forever (the rotation loops until a batch re-seals nothing).
      if (keyVersion < version) throw new Error(`re-sealed under data-key version ${keyVersion}, not ${version} or newer`);
      await this.tenants.resealWebhookSecret(tx, { sealed, keyVersion });
      return 1;
    });
  }
}
