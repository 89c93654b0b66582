import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Face Data Delete API: retention sweeps get receipts of their own scope, and person-scoped and
 * age-scoped deletions find their faces by index instead of scanning the tenant.
 */
export class FaceErasure1764000000004 implements MigrationInterface {
  name = 'FaceErasure1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deletions DROP CONSTRAINT IF EXISTS deletions_scope_type_check`);
    await q.query(`ALTER TABLE deletions ADD CONSTRAINT deletions_scope_type_check CHECK (scope_type IN ('face', 'asset', 'person', 'face_data', 'retention', 'tenant'))`);
    await q.query(`CREATE INDEX faces_tenant_person_idx ON faces (tenant_id, person_id) WHERE person_id IS NOT NULL`);
    await q.query(`CREATE INDEX index_jobs_tenant_open_idx ON index_jobs (tenant_id, asset_id) WHERE status IN ('queued', 'active')`);
    // One tenant-wide face-data purge at a time: a repeated request joins the one under way.
    await q.query(`CREATE UNIQUE INDEX deletions_one_open_face_data_idx ON deletions (tenant_id) WHERE scope_type = 'face_data' AND status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS deletions_one_open_face_data_idx`);
    await q.query(`DROP INDEX IF EXISTS index_jobs_tenant_open_idx`);
    await q.query(`DROP INDEX IF EXISTS faces_tenant_person_idx`);
    await q.query(`ALTER TABLE deletions DROP CONSTRAINT IF EXISTS deletions_scope_type_check`);
    await q.query(`ALTER TABLE deletions ADD CONSTRAINT deletions_scope_type_check CHECK (scope_type IN ('face', 'asset', 'person', 'face_data', 'tenant'))`);
  }
}
