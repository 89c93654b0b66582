import request from 'supertest';
import { TenantId } from '@app/contracts';
import { encodeVector, isVectorIndexError, rankReplicas, VectorIndexErrorCode } from '@app/vector-client';
import { clientFor, closeAllReplicas, cosine, faceVectors, newWorld, provision, startReplica, type Replica, type World } from './vector-index-harness';
import { normalizeQuery } from '../src/tenants/vector-input';

/** A new tenant searched once (loaded empty, flat), then given 600 faces (`prefix` + index) in three batches and settled. */
async function growTenant(replica: Replica, seed: number, prefix: string) {
  const client = clientFor(replica);
  const tenant = TenantId.generate();
  await provision(replica, tenant);
  const vectors = faceVectors(600, seed);
  await client.search(tenant, vectors[0], 1);
  for (let i = 0; i < vectors.length; i += 200) {
    await client.add(tenant, vectors.slice(i, i + 200).map((vector, j) => ({ faceId: `${prefix}${i + j}`, vector })));
  }
  await replica.service.settle(tenant);
  return { client, tenant, vectors };
}

describe('vector-index service (in-process, real HTTP on 127.0.0.1)', () => {
  let world: World;
  let replica: Replica;

  beforeAll(async () => {
    world = newWorld();
    replica = await startReplica(world);
  });
  afterAll(closeAllReplicas);

  it('adds, searches (exact order, cosine clamped to 0..1) and mark-deletes, unsearchable at once', async () => {
    const client = clientFor(replica);
    const tenant = TenantId.generate();
    await provision(replica, tenant);
    const vectors = faceVectors(40, 1);
    const faceIds = vectors.map((_, i) => `face-${i}`);

    // Not loaded yet: adds are left to the database, which the first search reads.
    vectors.slice(0, 20).forEach((v, i) => world.source.insert(tenant, faceIds[i], v));
    expect(await client.add(tenant, vectors.slice(0, 20).map((vector, i) => ({ faceId: faceIds[i], vector })))).toEqual({ added: 0, skipped: 0, deferred: 20 });
    const first = await client.search(tenant, vectors[0], 5);
    expect(first[0]).toEqual({ faceId: 'face-0', similarity: 1 });

    // Loaded: adds are applied and searchable when the call returns.
    vectors.slice(20).forEach((v, i) => world.source.insert(tenant, faceIds[20 + i], v));
    const added = await client.add(tenant, vectors.slice(20).map((vector, i) => ({ faceId: faceIds[20 + i], vector, seq: 0 })));
    expect(added).toEqual({ added: 20, skipped: 0, deferred: 0 });

    const query = vectors[21];
    const hits = await client.search(tenant, query, 40);
    const exact = vectors.map((v, i) => ({ faceId: faceIds[i], similarity: cosine(query, v) })).sort((a, b) => b.similarity - a.similarity);
    expect(hits.map((h) => h.faceId)).toEqual(exact.map((e) => e.faceId));
    for (const h of hits) expect(h.similarity).toBeGreaterThanOrEqual(0);
    expect((await client.search(tenant, query, 40, 0.4)).map((h) => h.faceId)).toEqual(exact.filter((e) => e.similarity >= 0.4).map((e) => e.faceId));

    expect(await client.remove(tenant, ['face-21', 'face-22', 'never-added'])).toEqual({ removed: 2, snapshotsDeleted: 0 });
    const after = await client.search(tenant, query, 40);
    expect(after.map((h) => h.faceId)).not.toContain('face-21');
    expect(after).toHaveLength(38);
    // A late add of a removed face (or of one removed before it was ever added) does not bring it back.
    expect(await client.add(tenant, [{ faceId: 'face-21', vector: query }, { faceId: 'never-added', vector: query }])).toMatchObject({ added: 0, skipped: 2 });
    const stats = await client.stats(tenant);
    expect(stats).toMatchObject({ state: 'ready', kind: 'flat', count: 38, deleted: 2, replica: replica.url });
  });

  it('keeps tenants apart', async () => {
    const client = clientFor(replica);
    const [a, b] = [TenantId.generate(), TenantId.generate()];
    await provision(replica, a);
    await provision(replica, b);
    const v = faceVectors(3, 7);
    await client.search(a, v[0], 1);
    await client.add(a, [{ faceId: 'shared-id', vector: v[0] }]);
    expect(await client.search(b, v[0], 10)).toEqual([]);
    expect((await client.search(a, v[0], 10)).map((h) => h.faceId)).toEqual(['shared-id']);
  });

  it('moves a growing tenant from exact scan to HNSW and keeps high recall', async () => {
    const { client, tenant, vectors } = await growTenant(replica, 3, 'f');
    expect(await client.stats(tenant)).toMatchObject({ kind: 'hnsw', count: 600, rebuilding: false });
    let found = 0;
    for (let q = 0; q < 50; q++) {
      const hits = await client.search(tenant, vectors[q * 12], 4, 0.4);
      const sameIdentity = Math.floor((q * 12) / 4) * 4;
      found += hits.filter((h) => Number(h.faceId.slice(1)) >= sameIdentity && Number(h.faceId.slice(1)) < sameIdentity + 4).length;
    }
    expect(found / 200).toBeGreaterThan(0.99);
  });

  it('with the scan as large index: moves a growing tenant from flat to scan, results equal an exact search', async () => {
    const scanReplica = await startReplica(world, { largeIndex: 'scan' });
    const { client, tenant, vectors } = await growTenant(scanReplica, 5, 's');
    expect(await client.stats(tenant)).toMatchObject({ kind: 'scan', count: 600, rebuilding: false });
    await client.remove(tenant, ['s13', 's24']);
    // The service stores unit vectors: compare against those.
    const unit = (v: Float32Array) => normalizeQuery(v, v.length);
    const live = vectors.map((v, i) => ({ id: `s${i}`, v: unit(v) })).filter((e) => e.id !== 's13' && e.id !== 's24');
    for (let q = 0; q < 50; q++) {
      const query = unit(vectors[q * 12]);
      const exact = live
        .map((e) => ({ faceId: e.id, similarity: e.v.reduce((s, x, j) => s + x * query[j], 0) }))
        .filter((h) => h.similarity >= 0.4)
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, 4);
      const hits = await client.search(tenant, query, 4, 0.4);
      expect(hits.map((h) => h.faceId)).toEqual(exact.map((h) => h.faceId));
      hits.forEach((h, i) => expect(h.similarity).toBeCloseTo(exact[i].similarity, 4));
    }
    await scanReplica.close();
  });

  it('answers /health/live while a worker is busy building a large index', async () => {
    const client = clientFor(replica);
    const tenant = TenantId.generate();
    await provision(replica, tenant);
    const vectors = faceVectors(1500, 4);
    vectors.forEach((v, i) => world.source.insert(tenant, `g${i}`, v));
    const loading = client.search(tenant, vectors[0], 1);
    const latencies: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 1500) {
      const t0 = performance.now();
      await request(replica.app.getHttpServer()).get('/health/live').expect(200);
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await loading).toEqual([{ faceId: 'g0', similarity: 1 }]);
    latencies.sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length * 0.95)]).toBeLessThan(100);
  });

  it('rejects malformed requests with problem+json codes, never echoing vectors', async () => {
    const tenant = TenantId.generate();
    const http = () => request(replica.app.getHttpServer());
    const bad = await http().post(`/v1/tenants/${tenant}/search`).send({ vector: encodeVector(new Float32Array(3)), k: 1 }).expect(400);
    expect(bad.body.code).toBe('invalid_vector');
    await http().post(`/v1/tenants/not-a-uuid/search`).send({ vector: encodeVector(new Float32Array(512).fill(1)), k: 1 }).expect(400);
    const bigK = await http().post(`/v1/tenants/${tenant}/search`).send({ vector: encodeVector(new Float32Array(512).fill(1)), k: 5000 }).expect(400);
    expect(bigK.body.code).toBe('invalid_request');
    await http().post(`/v1/tenants/${tenant}/faces`).send({ entries: [{ faceId: 'a\nb', vector: 'AAAA' }] }).expect(400);
    const secret = encodeVector(faceVectors(1, 99)[0]);
    await http().post(`/v1/tenants/${tenant}/faces`).send({ entries: [{ faceId: 'ok', vector: secret.slice(0, 100) + '!' }] }).expect(400);
    expect(replica.logs()).not.toContain(secret.slice(0, 60));
  });

  it('a replica that is down answers 503 (Unavailable) through the client, until it is back with complete results', async () => {
    const w = newWorld();
    const down = await startReplica(w);
    const tenant = TenantId.generate();
    await provision(down, tenant);
    const vectors = faceVectors(30, 5);
    vectors.forEach((v, i) => w.source.insert(tenant, `h${i}`, v));
    const url = down.url;
    const client = clientFor(url);
    expect(await client.search(tenant, vectors[0], 30)).toHaveLength(30);
    await down.close();
    const err = await client.search(tenant, vectors[0], 30).catch((e: unknown) => e);
    expect(isVectorIndexError(err, VectorIndexErrorCode.Unavailable)).toBe(true);
    expect((err as { kind: string }).kind).toBe('unavailable');

    const back = await startReplica(w, {}, w.config);
    try {
      expect(await clientFor(back).search(tenant, vectors[0], 30)).toHaveLength(30);
    } finally {
      await back.close();
    }
  });

  it('two replicas share tenants by rendezvous hashing', async () => {
    const second = await startReplica(world);
    try {
      const client = clientFor(replica, second);
      const tenants = Array.from({ length: 8 }, () => TenantId.generate());
      for (const t of tenants) {
        await provision(replica, t);
        await client.search(t, faceVectors(1, 1)[0], 1);
      }
      const owners = tenants.map((t) => client.replicaFor(t));
      expect(new Set(owners).size).toBe(2);
      for (const [i, t] of tenants.entries()) {
        expect(owners[i]).toBe(rankReplicas(t, [replica.url, second.url])[0]);
        const owner = owners[i] === replica.url ? replica : second;
        const other = owner === replica ? second : replica;
        expect(owner.service.stats(t).state).toBe('ready');
        expect(other.service.stats(t).state).toBe('absent');
      }
    } finally {
      await second.close();
    }
  });
});
