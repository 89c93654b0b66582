import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Runs a statement with the application role's name (`<database>_app`) filled in for `%I`. */
const forAppRole = (sql: string) =>
  `DO $do$ BEGIN EXECUTE format($fmt$${sql}$fmt$, current_database() || '_app'); END $do$`;

/**
 * Tenants, API keys and the audit log, with row-level security on every tenant-owned table.
 * Requests run as `<database>_app` (one role per database, since roles are server-wide): not the
 * owner and without BYPASSRLS, so the policies below apply to it; FORCE makes them apply to the
 * owner too, except inside SECURITY DEFINER functions.
 */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // A database restored or re-created under the same name finds its role already there.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_database() || '_app') THEN
          EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', current_database() || '_app');
        END IF;
      END $$`);
    await q.query(forAppRole('ALTER ROLE %I NOBYPASSRLS NOSUPERUSER'));

    // The tenant of the current transaction; '' (reset) and unset both mean "no tenant".
    await q.query(`
      CREATE FUNCTION app_current_tenant() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$`);
    await q.query(`
      CREATE FUNCTION app_is_operator() RETURNS boolean LANGUAGE sql STABLE AS
      $$ SELECT coalesce(current_setting('app.operator', true), '') = 'on' $$`);

    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kms_key_id text NULL,
        retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650),
        match_threshold real NOT NULL DEFAULT 0.4 CHECK (match_threshold BETWEEN 0 AND 1),
        min_face_size integer NOT NULL DEFAULT 40 CHECK (min_face_size BETWEEN 8 AND 4096),
        max_faces_per_image integer NOT NULL DEFAULT 100 CHECK (max_faces_per_image BETWEEN 1 AND 1000),
        quality_filter text NOT NULL DEFAULT 'medium' CHECK (quality_filter IN ('none', 'low', 'medium', 'high')),
        webhook_secret text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('integrator', 'admin', 'auditor')),
        prefix text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz NULL
      )`);
    await q.query(`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at)`);

    // No foreign key to tenants: the audit trail outlives a deleted tenant (compliance evidence).
    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        seq bigint NOT NULL CHECK (seq > 0),
        at timestamptz NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('apiKey', 'operator', 'system')),
        actor_key_id uuid NULL,
        actor_role text NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NULL,
        outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'error')),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id text NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        UNIQUE (tenant_id, seq)
      )`);
    await q.query(`CREATE INDEX audit_events_tenant_at_idx ON audit_events (tenant_id, at DESC, seq DESC)`);
    await q.query(`
      CREATE TABLE audit_chain_heads (
        tenant_id uuid PRIMARY KEY,
        seq bigint NOT NULL,
        hash text NOT NULL
      )`);

    // Row-level security: a query that forgets its tenant filter still sees only its tenant.
    await q.query(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE tenants FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenants_isolation ON tenants
        USING (id = app_current_tenant() OR app_is_operator())
        WITH CHECK (id = app_current_tenant() OR app_is_operator())`);
    for (const table of ['api_keys', 'audit_events', 'audit_chain_heads']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant())
          WITH CHECK (tenant_id = app_current_tenant())`);
    }

    // Authentication happens before the tenant is known: the app may look a key up by its prefix
    // through this function only (it runs as the owner, so RLS does not hide the row).
    await q.query(`
      CREATE FUNCTION app_find_api_key(p_prefix text)
      RETURNS TABLE (id uuid, tenant_id uuid, role text, secret_hash bytea, revoked_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS
      $$ SELECT k.id, k.tenant_id, k.role, k.secret_hash, k.revoked_at FROM public.api_keys k WHERE k.prefix = p_prefix $$`);
    await q.query(`REVOKE ALL ON FUNCTION app_find_api_key(text) FROM PUBLIC`);

    await q.query(forAppRole('GRANT USAGE ON SCHEMA public TO %I'));
    await q.query(forAppRole('GRANT EXECUTE ON FUNCTION app_find_api_key(text), app_current_tenant(), app_is_operator() TO %I'));
    await q.query(forAppRole('GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO %I'));
    await q.query(forAppRole('GRANT SELECT, INSERT, UPDATE ON api_keys TO %I'));
    // The audit log is append-only for the application.
    await q.query(forAppRole('GRANT SELECT, INSERT ON audit_events TO %I'));
    await q.query(forAppRole('GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO %I'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS app_find_api_key(text)`);
    await q.query(`DROP TABLE IF EXISTS audit_chain_heads`);
    await q.query(`DROP TABLE IF EXISTS audit_events`);
    await q.query(`DROP TABLE IF EXISTS api_keys`);
    await q.query(`DROP TABLE IF EXISTS tenants`);
    await q.query(`DROP FUNCTION IF EXISTS app_is_operator()`);
    await q.query(`DROP FUNCTION IF EXISTS app_current_tenant()`);
    // The role may own grants elsewhere (a restored copy); drop it by hand when retiring the database.
  }
}
