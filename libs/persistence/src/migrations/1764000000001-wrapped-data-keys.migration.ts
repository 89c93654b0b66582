import { type MigrationInterface, type QueryRunner } from 'typeorm';

const forAppRole = (sql: string) =>
  `DO $do$ BEGIN EXECUTE format($fmt$${sql}$fmt$, current_database() || '_app'); END $do$`;

/**
 * Tenant data keys, stored only wrapped (by the local master key or KMS). No foreign key to tenants:
 * a key is provisioned before its tenant row commits, and a destroyed key stays as a tombstone.
 */
export class WrappedDataKeys1764000000001 implements MigrationInterface {
  name = 'WrappedDataKeys1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wrapped_data_keys (
        tenant_id uuid NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        provider text NOT NULL CHECK (provider IN ('local', 'aws-kms')),
        kms_key_id text NULL,
        key_owner text NOT NULL CHECK (key_owner IN ('shared', 'tenant')),
        wrapped_key bytea NULL,
        created_at timestamptz NOT NULL,
        destroyed_at timestamptz NULL,
        PRIMARY KEY (tenant_id, version),
        CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
      )`);
    await q.query(`ALTER TABLE wrapped_data_keys ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE wrapped_data_keys FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY wrapped_data_keys_isolation ON wrapped_data_keys
        USING (tenant_id = app_current_tenant())
        WITH CHECK (tenant_id = app_current_tenant())`);
    // No DELETE: destroying a key nulls it and keeps the tombstone.
    await q.query(forAppRole('GRANT SELECT, INSERT, UPDATE ON wrapped_data_keys TO %I'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS wrapped_data_keys`);
  }
}
