import { type MigrationInterface, type QueryRunner } from 'typeorm';

const forAppRole = (sql: string) =>
  `DO $do$ BEGIN EXECUTE format($fmt$${sql}$fmt$, current_database() || '_app'); END $do$`;

/**
 * Assets, their faces with sealed embeddings, index jobs, and deletion receipts.
 * `faces.seq` only grows, so the vector index can load a snapshot and then just the newer rows.
 * `assets.deletion_generation` is bumped by every deletion of the asset's faces: an indexing job
 * that started before writes nothing when the generation it saw is no longer current.
 */
export class Faces1764000000002 implements MigrationInterface {
  name = 'Faces1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE assets (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        asset_id text NOT NULL CHECK (asset_id ~ '^[A-Za-z0-9._:-]{1,200}$'),
        deletion_generation integer NOT NULL DEFAULT 0,
        content_sha256 text NULL,
        indexed_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, asset_id)
      )`);
    await q.query(`
      CREATE TABLE faces (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        asset_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        box_left real NOT NULL,
        box_top real NOT NULL,
        box_width real NOT NULL,
        box_height real NOT NULL,
        confidence real NOT NULL,
        quality jsonb NOT NULL,
        person_id uuid NULL,
        model_set text NOT NULL,
        model_version text NOT NULL,
        key_version integer NOT NULL,
        embedding bytea NOT NULL,
        indexed_at timestamptz NOT NULL,
        FOREIGN KEY (tenant_id, asset_id) REFERENCES assets (tenant_id, asset_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX faces_tenant_seq_idx ON faces (tenant_id, seq)`);
    await q.query(`CREATE INDEX faces_tenant_asset_idx ON faces (tenant_id, asset_id)`);
    await q.query(`CREATE INDEX faces_tenant_key_version_idx ON faces (tenant_id, key_version)`);
    await q.query(`CREATE INDEX faces_tenant_indexed_at_idx ON faces (tenant_id, indexed_at)`);

    await q.query(`
      CREATE TABLE index_jobs (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        asset_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'active', 'completed', 'failed')),
        source_kind text NOT NULL CHECK (source_kind IN ('upload', 'url', 's3')),
        content_sha256 text NULL,
        options jsonb NOT NULL DEFAULT '{}'::jsonb,
        asset_generation integer NOT NULL,
        faces_indexed integer NULL,
        unindexed_faces jsonb NULL,
        error jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz NULL
      )`);
    await q.query(`CREATE INDEX index_jobs_tenant_asset_idx ON index_jobs (tenant_id, asset_id, created_at DESC)`);

    // Receipts outlive what they describe (including a deleted tenant): no foreign key.
    await q.query(`
      CREATE TABLE deletions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        scope_type text NOT NULL CHECK (scope_type IN ('face', 'asset', 'person', 'face_data', 'tenant')),
        scope_id text NULL,
        status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
        requested_at timestamptz NOT NULL,
        completed_at timestamptz NULL,
        requested_by jsonb NOT NULL,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        verified jsonb NOT NULL DEFAULT '{}'::jsonb,
        error text NULL
      )`);
    await q.query(`CREATE INDEX deletions_tenant_requested_idx ON deletions (tenant_id, requested_at DESC)`);

    for (const table of ['assets', 'faces', 'index_jobs']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant())
          WITH CHECK (tenant_id = app_current_tenant())`);
    }
    // The operator follows a tenant deletion's receipt after the tenant (and its keys) are gone.
    await q.query(`ALTER TABLE deletions ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE deletions FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY deletions_isolation ON deletions
        USING (tenant_id = app_current_tenant() OR app_is_operator())
        WITH CHECK (tenant_id = app_current_tenant() OR app_is_operator())`);

    await q.query(forAppRole('GRANT SELECT, INSERT, UPDATE, DELETE ON assets, faces, index_jobs TO %I'));
    await q.query(forAppRole('GRANT SELECT, INSERT, UPDATE ON deletions TO %I'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS deletions`);
    await q.query(`DROP TABLE IF EXISTS index_jobs`);
    await q.query(`DROP TABLE IF EXISTS faces`);
    await q.query(`DROP TABLE IF EXISTS assets`);
  }
}
