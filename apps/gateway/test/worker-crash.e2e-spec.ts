import { type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TenantId } from '@app/contracts';
import { FaceRepository, TenantDb } from '@app/persistence';
import { FACES_DIR, installTestModels } from '@app/testing';
import { bearer, createTenant, type GatewayHarness, startGateway, startWorkerProcess, exited } from './gateway-harness';

describe('kill -9 of the indexer in the middle of a batch', () => {
  let gateway: GatewayHarness;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await gateway?.close();
  });

  it('loses nothing and duplicates nothing: every asset indexed exactly once after a restart', async () => {
    const modelsDir = installTestModels();
    const { tenantId, adminKey } = await createTenant(gateway, 'Crash Co');
    const lfw = resolve(FACES_DIR, 'lfw-dev');
    const people = readdirSync(lfw).filter((d) => !d.endsWith('.txt')).sort().slice(0, 12);
    const jobIds: string[] = [];
    for (const [i, person] of people.entries()) {
      const file = join(lfw, person, readdirSync(join(lfw, person)).sort()[0]);
      const res = await gateway.http().post(`/v1/assets/crash-${i}/index`).set(bearer(adminKey)).attach('image', readFileSync(file), 'p.jpg').expect(202);
      jobIds.push(res.body.jobId);
    }
    const statuses = async () => Promise.all(jobIds.map(async (id) => (await gateway.http().get(`/v1/jobs/${id}`).set(bearer(adminKey)).expect(200)).body));

    const first = startWorkerProcess(gateway, { FACESEARCH_MODELS_DIR: modelsDir });
    workers.push(first);
    // Kill it once it has finished some but not all of the batch.
    for (let i = 0; i < 1200; i++) {
      const done = (await statuses()).filter((j) => j.status === 'completed').length;
      if (done >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    first.kill('SIGKILL');
    await exited(first);
    const atKill = (await statuses()).filter((j) => j.status === 'completed').length;
    expect(atKill).toBeGreaterThanOrEqual(2);

    workers.push(startWorkerProcess(gateway, { FACESEARCH_MODELS_DIR: modelsDir }));
    let final: { status: string; facesIndexed: number; assetId: string }[] = [];
    for (let i = 0; i < 1800; i++) {
      final = await statuses();
      if (final.every((j) => j.status === 'completed' || j.status === 'failed')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(final.map((j) => j.status)).toEqual(jobIds.map(() => 'completed'));

    // Exactly once: each asset holds exactly the faces its job reports, and no job ran its write twice.
    const db = gateway.app.get(TenantDb);
    const faces = gateway.app.get(FaceRepository);
    for (const j of final) {
      const stored = await db.run(TenantId.parse(tenantId), (tx) => faces.listByAsset(tx, j.assetId));
      expect(stored.length).toBe(j.facesIndexed);
    }
    const indexedEvents = await db.run(TenantId.parse(tenantId), (tx) =>
      tx.manager.query(`SELECT target_id, count(*)::int AS n FROM audit_events WHERE action = 'asset.indexed' GROUP BY target_id`),
    );
    expect(indexedEvents).toHaveLength(jobIds.length);
    for (const row of indexedEvents as { n: number }[]) expect(row.n).toBe(1);
  }, 240_000);
});
