import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JobName, TenantId } from '@app/contracts';
import { EnvelopeService } from '@app/crypto';
import { SweepRetention } from '@app/deletion';
import { type FaceAnalysis } from '@app/face';
import { FaceEngineProvider } from '@app/indexing';
import { FaceRepository, IndexJobRepository, TenantDb } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { FACES_DIR, installTestModels } from '@app/testing';
import { VectorIndexClient } from '@app/vector-client';
import { bearer, createTenant, type GatewayHarness, type StackHarness, startStack } from './gateway-harness';

const MODEL = { set: 'yunet-arcface-v1', version: '1' };
const photo = (f: string) => readFileSync(resolve(FACES_DIR, 'deepface', f));

/** A unit vector near `centre` (same person ≈ 0.8 similarity), or a random stranger without one. */
function faceVector(seed: number, centre?: Float32Array): Float32Array {
  let s = seed * 7919 + 17;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  const v = Float32Array.from({ length: 512 }, () => rnd());
  const n = Math.hypot(...v);
  for (let i = 0; i < v.length; i++) v[i] = centre ? 0.9 * centre[i] + (0.45 * v[i]) / n : v[i] / n;
  const m = Math.hypot(...v);
  return v.map((x) => x / m);
}

describe('Face Data Delete API: face, asset, person, all face data, retention', () => {
  let stack: StackHarness;
  let gateway: GatewayHarness;

  beforeAll(async () => {
    const modelsDir = installTestModels();
    stack = await startStack({ FACESEARCH_MODELS_DIR: modelsDir, INDEXER_CONCURRENCY: '1' });
    gateway = stack.gateway;
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  interface Tenant {
    tenantId: string;
    tid: TenantId;
    adminKey: string;
    integratorKey: string;
    auditorKey: string;
  }

  async function newTenant(name: string): Promise<Tenant> {
    const t = await createTenant(gateway, name);
    const key = async (role: string) => (await gateway.http().post('/v1/api-keys').set(bearer(t.adminKey)).send({ name: role, role }).expect(201)).body.key as string;
    return { ...t, tid: TenantId.parse(t.tenantId), integratorKey: await key('integrator'), auditorKey: await key('auditor') };
  }

  /** Faces written the way the indexer writes them (sealed, one transaction per asset). */
  async function seedFaces(t: Tenant, assets: Record<string, Float32Array[]>): Promise<Record<string, string[]>> {
    const envelope = gateway.app.get(EnvelopeService);
    const faces = gateway.app.get(FaceRepository);
    const out: Record<string, string[]> = {};
    for (const [assetId, vectors] of Object.entries(assets)) {
      const ids = vectors.map(() => randomUUID());
      const sealed = await Promise.all(ids.map((id, i) => envelope.encrypt(t.tid, id, `${MODEL.set}@${MODEL.version}`, vectors[i]!)));
      await gateway.app.get(TenantDb).run(t.tid, async (tx) => {
        const gen = await faces.assetGeneration(tx, assetId);
        await faces.replaceAssetFaces(
          tx,
          assetId,
          gen,
          'c'.repeat(64),
          ids.map((id, i) => ({ id, box: { left: 0.1, top: 0.1, width: 0.3, height: 0.3 }, confidence: 0.99, quality: {}, modelSet: MODEL.set, modelVersion: MODEL.version, keyVersion: 1, embedding: sealed[i]! })),
          new Date(),
        );
      });
      out[assetId] = ids;
    }
    return out;
  }

  const searchByFace = async (key: string, faceId: string) =>
    ((await gateway.http().post(`/v1/search/faces/${faceId}`).set(bearer(key)).send({ maxResults: 50, threshold: 0.3 }).expect(200)).body.matches as { faceId: string }[]).map((m) => m.faceId);

  const faceCount = (t: Tenant) => gateway.app.get(TenantDb).run(t.tid, (tx) => gateway.app.get(FaceRepository).count(tx));

  async function waitForReceipt(key: string, deletionId: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 600; i++) {
      const body = (await gateway.http().get(`/v1/deletions/${deletionId}`).set(bearer(key)).expect(200)).body;
      if (body.status !== 'pending') return body;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Say why: the purge job's attempts and last failure.
    const jobs = await gateway.app.get(JobProducer).queueOf(JobName.PurgeFaceData).getJobs(['failed', 'delayed', 'active', 'waiting', 'completed']);
    const job = jobs.find((j) => j.id?.endsWith(deletionId));
    throw new Error(`deletion still pending; job ${job?.id}: attempts ${job?.attemptsMade}, ${job?.failedReason}, ${JSON.stringify(job?.stacktrace?.slice(-1))}`);
  }

  it('DELETE /v1/faces/{id}: unsearchable when the call returns, gone from Postgres and from every snapshot, with a verified receipt', async () => {
    const t = await newTenant('Face Co');
    const person = faceVector(1);
    const ids = await seedFaces(t, {
      'a-1': [faceVector(11, person)],
      'a-2': [faceVector(12, person), faceVector(99)],
      'a-3': [faceVector(13, person)],
    });
    const [victim] = ids['a-1']!;
    const [probe] = ids['a-2']!;
    expect(await searchByFace(t.integratorKey, probe!)).toEqual(expect.arrayContaining([victim, ids['a-3']![0]]));
    // A snapshot holding the victim exists before the deletion.
    const vectors = gateway.app.get(VectorIndexClient);
    const { snapshotId } = await vectors.snapshot(t.tid);
    expect(snapshotId).toEqual(expect.any(String));

    const res = await gateway.http().delete(`/v1/faces/${victim}`).set(bearer(t.integratorKey)).expect(200);
    expect(res.body).toMatchObject({
      scope: { type: 'face', id: victim },
      status: 'completed',
      requestedBy: { type: 'apiKey', role: 'integrator' },
      counts: { faces: 1, embeddings: 1, indexEntries: 1, snapshotsRewritten: 1, jobsCancelled: 0 },
      verified: { searchable: 0, checked: 1 },
    });
    expect(res.body.completedAt).toEqual(expect.any(String));

    const after = await searchByFace(t.integratorKey, probe!);
    expect(after).not.toContain(victim);
    expect(after).toContain(ids['a-3']![0]);
    expect(await faceCount(t)).toBe(3);
    // No snapshot from before the deletion survives; the index answers from memory until the next one.
    expect((await vectors.stats(t.tid)).snapshotId ?? null).not.toBe(snapshotId);
    await gateway.http().post(`/v1/search/faces/${victim}`).set(bearer(t.integratorKey)).send({}).expect(404);
    await gateway.http().delete(`/v1/faces/${victim}`).set(bearer(t.integratorKey)).expect(404);

    // The receipt is kept for admins and auditors, and the deletion is in the audit log.
    const kept = await gateway.http().get(`/v1/deletions/${res.body.deletionId}`).set(bearer(t.auditorKey)).expect(200);
    expect(kept.body).toEqual(res.body);
    const audit = await gateway.http().get('/v1/audit-events?action=faces.deleted').set(bearer(t.auditorKey)).expect(200);
    expect(audit.body.items[0]).toMatchObject({ action: 'faces.deleted', target: { type: 'face', id: victim }, details: { deletionId: res.body.deletionId, faces: 1 } });
  });

  it('DELETE /v1/assets/{id}/faces: erases the asset\'s faces, cancels its pending index job, and re-indexing the same image makes a new job', async () => {
    const t = await newTenant('Asset Co');
    const person = faceVector(2);
    const ids = await seedFaces(t, { keep: [faceVector(21, person)], gone: [faceVector(22, person), faceVector(23, person)] });
    // A queued job of the asset (its worker has not started it).
    const pendingJobId = randomUUID();
    await gateway.app.get(TenantDb).run(t.tid, async (tx) => {
      const gen = await gateway.app.get(FaceRepository).assetGeneration(tx, 'gone');
      await gateway.app.get(IndexJobRepository).insertIfAbsent(tx, { id: pendingJobId, assetId: 'gone', sourceKind: 'url', contentSha256: null, options: {}, assetGeneration: gen });
    });

    expect(await searchByFace(t.integratorKey, ids.keep![0]!)).toEqual(ids.gone); // loads the tenant's index
    const res = await gateway.http().delete('/v1/assets/gone/faces').set(bearer(t.adminKey)).expect(200);
    expect(res.body).toMatchObject({ scope: { type: 'asset', id: 'gone' }, status: 'completed', counts: { faces: 2, embeddings: 2, indexEntries: 2, jobsCancelled: 1 }, verified: { searchable: 0, checked: 2 } });
    const job = await gateway.http().get(`/v1/jobs/${pendingJobId}`).set(bearer(t.integratorKey)).expect(200);
    expect(job.body).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
    expect(await searchByFace(t.integratorKey, ids.keep![0]!)).toEqual([]);
    const listed = await gateway.http().get('/v1/assets/gone/faces').set(bearer(t.integratorKey)).expect(200);
    expect(listed.body.faces).toEqual([]);

    // Re-indexing the image after the deletion is a new job (not the old job's answer), and the faces come back.
    const first = await gateway.http().post('/v1/assets/photo/index').set(bearer(t.integratorKey)).attach('image', photo('img1.jpg'), 'img1.jpg').expect(202);
    const done = await waitForJob(t, first.body.jobId);
    expect(done).toMatchObject({ status: 'completed', facesIndexed: 1 });
    await gateway.http().delete('/v1/assets/photo/faces').set(bearer(t.integratorKey)).expect(200);
    const again = await gateway.http().post('/v1/assets/photo/index').set(bearer(t.integratorKey)).attach('image', photo('img1.jpg'), 'img1.jpg').expect(202);
    expect(again.body.jobId).not.toBe(first.body.jobId);
    expect(await waitForJob(t, again.body.jobId)).toMatchObject({ status: 'completed', facesIndexed: 1 });
    expect((await gateway.http().get('/v1/assets/photo/faces').set(bearer(t.integratorKey)).expect(200)).body.faces).toHaveLength(1);
  });

  async function waitForJob(t: Tenant, jobId: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 1200; i++) {
      const res = await gateway.http().get(`/v1/jobs/${jobId}`).set(bearer(t.integratorKey)).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('job did not finish');
  }

  it('no resurrection: an indexing job between embedding and insert when its asset is deleted writes nothing', async () => {
    const t = await newTenant('Race Co');
    const provider = stack.indexer.get(FaceEngineProvider);
    const realGet = provider.get.bind(provider);
    let reachedInsert!: () => void;
    const atInsert = new Promise<void>((r) => (reachedInsert = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // The real engine embeds the photo; the job then waits, embeddings in hand, before its transaction.
    provider.get = async () => {
      const engine = await realGet();
      return new Proxy(engine, {
        get(target, prop, receiver) {
          if (prop !== 'analyze') return Reflect.get(target, prop, receiver) as unknown;
          return async (...args: Parameters<typeof engine.analyze>): Promise<FaceAnalysis> => {
            const analysis = await target.analyze(...args);
            reachedInsert();
            await released;
            return analysis;
          };
        },
      });
    };
    try {
      const req = await gateway.http().post('/v1/assets/race/index').set(bearer(t.integratorKey)).attach('image', photo('img2.jpg'), 'img2.jpg').expect(202);
      await atInsert;
      const del = await gateway.http().delete('/v1/assets/race/faces').set(bearer(t.integratorKey)).expect(200);
      expect(del.body).toMatchObject({ status: 'completed', counts: { faces: 0, jobsCancelled: 1 } });
      release();
      const job = await waitForJob(t, req.body.jobId);
      expect(job).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
    } finally {
      provider.get = realGet;
      release();
    }
    expect(await faceCount(t)).toBe(0);
    expect((await gateway.http().get('/v1/faces').set(bearer(t.integratorKey)).expect(200)).body.items).toEqual([]);
    const search = await gateway.http().post('/v1/search/faces-by-image').set(bearer(t.integratorKey)).attach('image', photo('img2.jpg'), 'img2.jpg').expect(200);
    expect(search.body.queryFaces[0].matches).toEqual([]);
  });

  it('DELETE /v1/persons/{id}: without withFaces the faces stay unassigned; with it they are erased (admin only)', async () => {
    const t = await newTenant('Person Co');
    const ids = await seedFaces(t, { p1: [faceVector(31)], p2: [faceVector(32)], other: [faceVector(33)] });
    const personId = randomUUID();
    const assign = () =>
      gateway.app.get(TenantDb).run(t.tid, (tx) => tx.manager.query(`UPDATE faces SET person_id = $2 WHERE tenant_id = $1 AND asset_id IN ('p1', 'p2')`, [tx.tenantId, personId]));
    await assign();
    await gateway.http().delete(`/v1/persons/${personId}`).set(bearer(t.integratorKey)).expect(403);

    const unassigned = await gateway.http().delete(`/v1/persons/${personId}`).set(bearer(t.adminKey)).expect(200);
    expect(unassigned.body).toMatchObject({ scope: { type: 'person', id: personId }, status: 'completed', counts: { faces: 0, facesUnassigned: 2 } });
    expect(await faceCount(t)).toBe(3);
    await gateway.http().delete(`/v1/persons/${personId}`).set(bearer(t.adminKey)).expect(404);

    await assign();
    const erased = await gateway.http().delete(`/v1/persons/${personId}?withFaces=true`).set(bearer(t.adminKey)).expect(200);
    expect(erased.body).toMatchObject({ counts: { faces: 2, embeddings: 2, indexEntries: expect.any(Number) }, verified: { searchable: 0, checked: 2 } });
    expect(await faceCount(t)).toBe(1);
    expect(await searchByFace(t.integratorKey, ids.other![0]!)).toEqual([]);
    await gateway.http().delete(`/v1/persons/${personId}?withFaces=maybe`).set(bearer(t.adminKey)).expect(400);
  });

  it('DELETE /v1/face-data: 202, then every face, index entry and snapshot of the tenant goes; the tenant and other tenants stay', async () => {
    const t = await newTenant('All Co');
    const other = await newTenant('Bystander Co');
    const person = faceVector(4);
    const assets: Record<string, Float32Array[]> = {};
    for (let i = 0; i < 30; i++) assets[`asset-${i}`] = [faceVector(400 + i, person), faceVector(500 + i)];
    const ids = await seedFaces(t, assets);
    const kept = await seedFaces(other, { theirs: [faceVector(41, person)], theirs2: [faceVector(42, person)] });
    expect(await searchByFace(t.integratorKey, ids['asset-0']![0]!)).toHaveLength(29);
    await gateway.app.get(VectorIndexClient).snapshot(t.tid);
    await gateway.http().delete('/v1/face-data').set(bearer(t.integratorKey)).expect(403);

    const res = await gateway.http().delete('/v1/face-data').set(bearer(t.adminKey)).expect(202);
    const receipt = await waitForReceipt(t.adminKey, res.body.deletionId);
    expect(receipt).toMatchObject({
      scope: { type: 'faceData', id: null },
      status: 'completed',
      counts: { faces: 60, embeddings: 60, indexEntries: 60, snapshotsRewritten: 1 },
      verified: { searchable: 0 },
    });
    expect(await faceCount(t)).toBe(0);
    expect((await gateway.app.get(VectorIndexClient).stats(t.tid)).count).toBe(0);
    await gateway.http().get('/v1/settings').set(bearer(t.adminKey)).expect(200);
    expect(await searchByFace(other.integratorKey, kept.theirs![0]!)).toEqual([kept.theirs2![0]]);
  });

  it('retention: faces older than retentionDays are erased by the sweep as the system, with a receipt', async () => {
    const t = await newTenant('Retention Co');
    const ids = await seedFaces(t, { old: [faceVector(61), faceVector(62)], fresh: [faceVector(63)] });
    await gateway.http().patch('/v1/settings').set(bearer(t.adminKey)).send({ retentionDays: 30 }).expect(200);
    await gateway.app.get(TenantDb).run(t.tid, (tx) =>
      tx.manager.query(`UPDATE faces SET indexed_at = now() - interval '31 days' WHERE tenant_id = $1 AND asset_id = 'old'`, [tx.tenantId]),
    );
    // The repeatable job's handler, run now (it is scheduled every RETENTION_SWEEP_INTERVAL_MS).
    const { tenantsQueued } = await stack.indexer.get(SweepRetention).execute(new Date());
    expect(tenantsQueued).toBeGreaterThanOrEqual(1);

    let receipt: Record<string, unknown> | undefined;
    for (let i = 0; i < 600 && !receipt; i++) {
      const list = await gateway.http().get('/v1/deletions').set(bearer(t.auditorKey)).expect(200);
      receipt = (list.body.items as Record<string, unknown>[]).find((d) => (d.scope as { type: string }).type === 'retention' && d.status === 'completed');
      if (!receipt) await new Promise((r) => setTimeout(r, 100));
    }
    expect(receipt).toMatchObject({ status: 'completed', requestedBy: { type: 'system' }, counts: { faces: 2, embeddings: 2 }, verified: { searchable: 0, checked: 2 } });
    expect(await faceCount(t)).toBe(1);
    const remaining = (await gateway.http().get('/v1/faces').set(bearer(t.integratorKey)).expect(200)).body.items.map((f: { faceId: string }) => f.faceId);
    expect(remaining).toEqual(ids.fresh);
    const audit = await gateway.http().get('/v1/audit-events?action=faces.expired').set(bearer(t.auditorKey)).expect(200);
    expect(audit.body.items[0]).toMatchObject({ actor: { type: 'system' }, details: { faces: 2 } });
  });

  it('roles and unknown ids: auditors cannot delete, unknown faces and assets are 404, malformed asset ids 400', async () => {
    const t = await newTenant('Roles Co');
    const ids = await seedFaces(t, { mine: [faceVector(71)] });
    await gateway.http().delete(`/v1/faces/${ids.mine![0]}`).set(bearer(t.auditorKey)).expect(403);
    await gateway.http().delete('/v1/assets/mine/faces').set(bearer(t.auditorKey)).expect(403);
    await gateway.http().delete(`/v1/faces/${randomUUID()}`).set(bearer(t.integratorKey)).expect(404);
    await gateway.http().delete('/v1/faces/not-a-uuid').set(bearer(t.integratorKey)).expect(404);
    await gateway.http().delete('/v1/assets/nope/faces').set(bearer(t.integratorKey)).expect(404);
    await gateway.http().delete('/v1/assets/bad%20id/faces').set(bearer(t.integratorKey)).expect(400);
    // Another tenant's face is not there for this tenant.
    const other = await newTenant('Other Roles Co');
    await gateway.http().delete(`/v1/faces/${ids.mine![0]}`).set(bearer(other.adminKey)).expect(404);
    expect(await faceCount(t)).toBe(1);
  });
});

describe('Face Data Delete API with the vector index down', () => {
  it('answers 503 and deletes nothing; the receipt says the attempt failed', async () => {
    const stack = await startStack({}, { vectorIndex: false });
    try {
      const gateway = stack.gateway;
      const t = await createTenant(gateway, 'Down Co');
      const tid = TenantId.parse(t.tenantId);
      const envelope = gateway.app.get(EnvelopeService);
      const faces = gateway.app.get(FaceRepository);
      const id = randomUUID();
      const sealed = await envelope.encrypt(tid, id, `${MODEL.set}@${MODEL.version}`, faceVector(81));
      await gateway.app.get(TenantDb).run(tid, async (tx) => {
        const gen = await faces.assetGeneration(tx, 'x');
        await faces.replaceAssetFaces(tx, 'x', gen, 'd'.repeat(64), [{ id, box: { left: 0, top: 0, width: 1, height: 1 }, confidence: 1, quality: {}, modelSet: MODEL.set, modelVersion: MODEL.version, keyVersion: 1, embedding: sealed }], new Date());
      });
      const res = await gateway.http().delete(`/v1/faces/${id}`).set(bearer(t.adminKey)).expect(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(await gateway.app.get(TenantDb).run(tid, (tx) => faces.count(tx))).toBe(1);
      const list = await gateway.http().get('/v1/deletions').set(bearer(t.adminKey)).expect(200);
      expect(list.body.items[0]).toMatchObject({ scope: { type: 'face', id }, status: 'failed', counts: { faces: 0 } });
    } finally {
      await stack.close();
    }
  });
});
