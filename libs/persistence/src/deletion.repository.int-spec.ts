import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TenantId } from '@app/contracts';
import { testConfig } from '@app/testing';
import { appDataSourceOptions } from './data-source.factory';
import { prepareDatabase } from './database-bootstrap';
import { DeletionRepository } from './repositories/deletion.repository';
import { TenantRepository } from './repositories/tenant.repository';
import { TenantDb } from './tenant-db';

describe('DeletionRepository (real Postgres): receipts', () => {
  const config = testConfig();
  let ds: DataSource;
  let db: TenantDb;
  const deletions = new DeletionRepository();

  beforeAll(async () => {
    await prepareDatabase(config);
    ds = new DataSource(appDataSourceOptions(config));
    await ds.initialize();
    db = new TenantDb(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  const open = (tenant: TenantId, id: string) =>
    db.run(tenant, (tx) => deletions.openFaceDataPurge(tx, { id, requestedAt: new Date(), requestedBy: { type: 'system' } }));

  it('one pending face-data purge per tenant: a second request joins it, concurrent ones too; after it ends a new one opens', async () => {
    const tenant = TenantId.generate();
    const other = TenantId.generate();
    for (const t of [tenant, other]) await db.run(t, (tx) => new TenantRepository().insert(tx, { name: 'x', kmsKeyId: null }));
    const ids = [randomUUID(), randomUUID(), randomUUID()];

    const both = await Promise.all([open(tenant, ids[0]!), open(tenant, ids[1]!)]);
    expect(both.filter((r) => r.created)).toHaveLength(1);
    expect(both[0]!.id).toBe(both[1]!.id);
    expect(await open(other, ids[2]!)).toEqual({ id: ids[2], created: true });

    await db.run(tenant, (tx) => deletions.complete(tx, both[0]!.id, { status: 'completed', counts: { faces: 0 }, verified: {}, at: new Date() }));
    const next = randomUUID();
    expect(await open(tenant, next)).toEqual({ id: next, created: true });
  });

  it('adds progress to counts and verification tallies', async () => {
    const tenant = TenantId.generate();
    await db.run(tenant, (tx) => new TenantRepository().insert(tx, { name: 'x', kmsKeyId: null }));
    const id = randomUUID();
    await db.run(tenant, (tx) => deletions.insert(tx, { id, scopeType: 'asset', scopeId: 'a', requestedAt: new Date(), requestedBy: { type: 'system' } }));
    await db.run(tenant, (tx) => deletions.addProgress(tx, id, { faces: 2, embeddings: 2 }));
    const after = await db.run(tenant, (tx) => deletions.addProgress(tx, id, { faces: 3 }, { checked: 3, searchable: 0 }));
    expect(after.counts).toEqual({ faces: 5, embeddings: 2 });
    expect(after.verified).toEqual({ checked: 3, searchable: 0 });
  });
});
