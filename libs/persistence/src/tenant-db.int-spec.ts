import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKeyId, Role, TenantId } from '@app/contracts';
import { testConfig } from '@app/testing';
import { appDataSourceOptions } from './data-source.factory';
import { prepareDatabase } from './database-bootstrap';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { TenantRepository } from './repositories/tenant.repository';
import { TenantDb } from './tenant-db';

describe('TenantDb transactions (real Postgres, application role)', () => {
  const config = testConfig();
  let app: DataSource;
  let db: TenantDb;
  const keys = new ApiKeyRepository();
  const tenant = TenantId.generate();
  let n = 0;

  const newKey = () => {
    n++;
    return { id: ApiKeyId.generate(), name: `k${n}`, role: Role.Admin, prefix: randomBytes(6).toString('hex'), secretHash: Buffer.alloc(32, n), createdBy: 'operator' };
  };
  const keyNames = () => db.run(tenant, (tx) => tx.manager.query(`SELECT name FROM api_keys ORDER BY name`)).then((rows: { name: string }[]) => rows.map((r) => r.name));
  /** Every pooled connection at once: none may be inside a transaction or carry a tenant scope. */
  const expectPoolClean = async () => {
    const rows = await Promise.all(
      Array.from({ length: config.db.poolSize }, () =>
        app.query(`SELECT coalesce(current_setting('app.tenant_id', true), '') AS scope, now() = statement_timestamp() AS own_transaction, pg_sleep(0.05)`),
      ),
    );
    for (const [row] of rows) expect(row).toMatchObject({ scope: '', own_transaction: true });
  };

  beforeAll(async () => {
    await prepareDatabase(config);
    app = new DataSource(appDataSourceOptions(config));
    await app.initialize();
    db = new TenantDb(app);
    await db.run(tenant, (tx) => new TenantRepository().insert(tx, { name: 'tx tenant', kmsKeyId: null }));
  });

  afterAll(async () => {
    await app?.destroy();
  });

  it('commits the work and returns its result', async () => {
    const key = newKey();
    await expect(db.run(tenant, async (tx) => (await keys.insert(tx, key), 'done'))).resolves.toBe('done');
    expect(await keyNames()).toContain(key.name);
  });

  it('rolls back everything when the work fails, and leaves no transaction or tenant scope on the pool', async () => {
    const key = newKey();
    const failures = Array.from({ length: config.db.poolSize + 2 }, () =>
      db.run(tenant, async (tx) => {
        await keys.insert(tx, { ...newKey(), name: key.name });
        throw new Error('work failed');
      }),
    );
    for (const failure of await Promise.allSettled(failures)) expect(failure).toMatchObject({ status: 'rejected', reason: { message: 'work failed' } });
    expect(await keyNames()).not.toContain(key.name);
    await expectPoolClean();
  });

  it('rolls back after a failing statement too (the transaction was aborted by the server)', async () => {
    const key = newKey();
    await expect(
      db.run(tenant, async (tx) => {
        await keys.insert(tx, key);
        await tx.manager.query(`SELECT 1 / 0`);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await keyNames()).not.toContain(key.name);
    await expectPoolClean();
  });

  it('makes a nested manager.transaction() a savepoint: it cannot commit the outer transaction', async () => {
    const key = newKey();
    await expect(
      db.run(tenant, async (tx) => {
        await tx.manager.transaction((inner) => inner.query(`INSERT INTO api_keys (id, tenant_id, name, role, prefix, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [key.id, tenant, key.name, key.role, key.prefix, key.secretHash, key.createdBy]));
        throw new Error('outer work failed after the nested one finished');
      }),
    ).rejects.toThrow(/outer work failed/);
    expect(await keyNames()).not.toContain(key.name);
  });

  it('refuses a tenant id that is not a UUID before touching the database (it becomes a literal)', async () => {
    const work = jest.fn();
    await expect(db.run(`x'); SELECT 1; --` as TenantId, work)).rejects.toThrow(TypeError);
    expect(work).not.toHaveBeenCalled();
  });
});
