import { DataSource } from 'typeorm';
import { ApiKeyId, Role, TenantId } from '@app/contracts';
import { testConfig } from '@app/testing';
import { appDataSourceOptions, adminDataSource } from './data-source.factory';
import { prepareDatabase } from './database-bootstrap';
import { MIGRATIONS } from './migrations';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { TenantRepository } from './repositories/tenant.repository';
import { TenantDb } from './tenant-db';

describe('row-level security (real Postgres, application role)', () => {
  const config = testConfig();
  let app: DataSource;
  let db: TenantDb;
  const tenants = new TenantRepository();
  const keys = new ApiKeyRepository();
  const a = TenantId.generate();
  const b = TenantId.generate();

  const addKey = (tenantId: TenantId, prefix: string) =>
    db.run(tenantId, (tx) =>
      keys.insert(tx, { id: ApiKeyId.generate(), name: prefix, role: Role.Admin, prefix, secretHash: Buffer.alloc(32, 1), createdBy: 'operator' }),
    );

  beforeAll(async () => {
    await prepareDatabase(config);
    app = new DataSource(appDataSourceOptions(config));
    await app.initialize();
    db = new TenantDb(app);
    for (const [id, name] of [[a, 'tenant A'], [b, 'tenant B']] as const) {
      await db.run(id, (tx) => tenants.insert(tx, { name, kmsKeyId: null }));
    }
    await addKey(a, `a${a.slice(0, 11).replace(/-/g, '0')}`);
    await addKey(b, `b${b.slice(0, 11).replace(/-/g, '0')}`);
  });

  afterAll(async () => {
    await app?.destroy();
  });

  it('connects as a role that is neither superuser nor BYPASSRLS nor the table owner', async () => {
    const [role] = await app.query(
      `SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`,
    );
    expect(role).toEqual({ name: config.db.appUser, rolsuper: false, rolbypassrls: false });
    const [owner] = await app.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'api_keys'`);
    expect(owner.tableowner).not.toBe(config.db.appUser);
  });

  it('a query without any tenant filter, under tenant A, returns none of tenant B\'s rows', async () => {
    const rows = await db.run(a, (tx) => tx.manager.query(`SELECT tenant_id FROM api_keys`));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r: { tenant_id: string }) => r.tenant_id === a)).toBe(true);
    const tenantRows = await db.run(a, (tx) => tx.manager.query(`SELECT id FROM tenants`));
    expect(tenantRows).toEqual([{ id: a }]);
  });

  it('sees nothing at all outside a tenant transaction', async () => {
    expect(await app.query(`SELECT * FROM api_keys`)).toEqual([]);
    expect(await app.query(`SELECT * FROM tenants`)).toEqual([]);
  });

  it('cannot write a row into another tenant', async () => {
    await expect(
      db.run(a, (tx) =>
        tx.manager.query(
          `INSERT INTO api_keys (id, tenant_id, name, role, prefix, secret_hash, created_by) VALUES ($1, $2, 'x', 'admin', 'zzzzzzzzzzzz', $3, 'operator')`,
          [ApiKeyId.generate(), b, Buffer.alloc(32)],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await db.run(a, (tx) => tx.manager.query(`UPDATE api_keys SET name = 'hijacked' WHERE tenant_id = $1 RETURNING id`, [b]));
    expect(updated[0]).toEqual([]);
  });

  it('keeps the audit log append-only for the application', async () => {
    await expect(db.run(a, (tx) => tx.manager.query(`UPDATE audit_events SET action = 'x'`))).rejects.toThrow(/permission denied/);
    await expect(db.run(a, (tx) => tx.manager.query(`DELETE FROM audit_events`))).rejects.toThrow(/permission denied/);
  });

  it('finds a key by prefix across tenants only through the lookup function', async () => {
    const prefix = `b${b.slice(0, 11).replace(/-/g, '0')}`;
    const cred = await keys.findCredentialByPrefix(db, prefix);
    expect(cred?.tenantId).toBe(b);
    expect(await keys.findCredentialByPrefix(db, 'nonexistent00')).toBeNull();
  });

  it('migrations are idempotent: a second boot applies nothing', async () => {
    expect(await prepareDatabase(config)).toEqual([]);
    const admin = adminDataSource(config);
    await admin.initialize();
    const [{ n }] = await admin.query(`SELECT count(*)::int AS n FROM migrations`);
    await admin.destroy();
    expect(n).toBe(MIGRATIONS.length);
  });
});
