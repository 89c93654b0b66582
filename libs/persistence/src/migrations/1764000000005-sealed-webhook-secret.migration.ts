import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Webhook secrets are sealed under the tenant's data key (libs/crypto secret blob, purpose
 * 'webhook-secret'), like every other tenant secret, and follow key rotation and crypto-shredding.
 * `webhook_secret_key_version` mirrors the blob's header, so the rotation (TenantSecretsSealedSet) finds a
 * secret still under an old data-key version without opening it.
 *
 * Existing plaintext values cannot be sealed in SQL (data keys are only ever unwrapped in the app), so
 * the old `webhook_secret` column stays, as a legacy inbox the application only empties: every path
 * that touches a tenant's webhook secret (settings read and write, webhook delivery, data-key rotation)
 * first calls TenantSecretsSealedSet.sealLegacyWebhookSecret in its own transaction, which locks the
 * row, seals the plaintext, stores the blob and sets `webhook_secret` to NULL before that transaction
 * commits. Nothing else reads the column, and the entity no longer maps it. A value found there is the
 * newest write (only code older than this migration writes it, e.g. during a rolling deploy), so it
 * replaces a sealed one. This needs no boot step, no cross-tenant scan and no KMS at start-up; a tenant
 * that never reads its settings, receives a callback or rotates keeps its value there until it does.
 * A later migration drops the column once `SELECT count(*) FROM tenants WHERE webhook_secret IS NOT NULL`
 * answers 0 on every deployment.
 *
 * down() cannot unseal: it drops the sealed columns, so tenants set their webhook secret again.
 */
export class SealedWebhookSecret1764000000005 implements MigrationInterface {
  name = 'SealedWebhookSecret1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN webhook_secret_sealed bytea NULL`);
    await q.query(`ALTER TABLE tenants ADD COLUMN webhook_secret_key_version integer NULL`);
    await q.query(`
      ALTER TABLE tenants ADD CONSTRAINT tenants_webhook_secret_sealed_check CHECK (
        (webhook_secret_sealed IS NULL AND webhook_secret_key_version IS NULL)
        OR (webhook_secret_sealed IS NOT NULL AND webhook_secret_key_version > 0)
      )`);
    await q.query(`COMMENT ON COLUMN tenants.webhook_secret IS 'legacy plaintext: sealed into webhook_secret_sealed and cleared on first use; never written'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`COMMENT ON COLUMN tenants.webhook_secret IS NULL`);
    await q.query(`ALTER TABLE tenants DROP CONSTRAINT IF EXISTS tenants_webhook_secret_sealed_check`);
    await q.query(`ALTER TABLE tenants DROP COLUMN IF EXISTS webhook_secret_key_version`);
    await q.query(`ALTER TABLE tenants DROP COLUMN IF EXISTS webhook_secret_sealed`);
  }
}
