import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantId } from '@app/contracts';
import { createCrypto, LocalKeyProvider } from '@app/crypto';
import { LocalBlobStore } from '@app/storage';
import { SnapshotStore } from '../src/snapshot/snapshot-store';
import { HNSW_HEADER_BYTES, readHnswLayout } from '../src/snapshot/hnsw-scrub.transform';
import { normalizeQuery } from '../src/tenants/vector-input';
import { clientFor, closeAllReplicas, faceVectors, newWorld, provision, startReplica, type World } from './vector-index-harness';

/** Opens the tenant's latest snapshot outside the service (as an auditor would) and returns its sections. */
async function openLatest(world: World, tenant: TenantId): Promise<{ snapshotId: string; ids: string; body: Buffer; kind: string }> {
  const crypto = createCrypto({ keyStore: world.keyStore, provider: new LocalKeyProvider(world.config.kms.masterKey) });
  const store = new SnapshotStore(new LocalBlobStore(world.config.storage.localDir), crypto.snapshots);
  const snapshotId = (await store.latest(tenant))!;
  const base = join(world.config.dataDir, `audit-${snapshotId}`);
  const header = await store.read(tenant, snapshotId, base);
  crypto.close();
  return { snapshotId, ids: readFileSync(`${base}.ids`, 'utf8'), body: readFileSync(`${base}.body`), kind: header.kind };
}

/** Whether the bytes hold the vector as the index stores it (unit length, Float32). */
const contains = (haystack: Buffer, v: Float32Array) => {
  const unit = normalizeQuery(v, v.length);
  return haystack.indexOf(Buffer.from(unit.buffer, unit.byteOffset, unit.byteLength)) >= 0;
};

describe('vector-index snapshots, compaction and memory budget', () => {
  afterEach(closeAllReplicas);

  it('restarts from its encrypted snapshot plus newer rows; removed vectors never stay in a snapshot', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(500, 11);
    vectors.slice(0, 400).forEach((v, i) => world.source.insert(tenant, `f${i}`, v));

    let replica = await startReplica(world);
    await provision(replica, tenant);
    let client = clientFor(replica);
    expect((await client.search(tenant, vectors[10], 1))[0].faceId).toBe('f10');
    await replica.service.settle(tenant);
    const first = await client.snapshot(tenant);
    expect(first.snapshotId).toMatch(/^\d{14}-[0-9a-f]{8}$/);

    // Sealed at rest: no vector appears in the blob's bytes.
    const blobPath = join(world.config.storage.localDir, 'snapshots', tenant, first.snapshotId!);
    const sealed = readFileSync(blobPath);
    expect(contains(sealed, vectors[10])).toBe(false);

    // Remove faces: unsearchable at once, and the snapshot is rewritten without their vectors.
    expect(await client.remove(tenant, ['f10', 'f11'])).toEqual({ removed: 2, snapshotsDeleted: 0 });
    world.source.delete(tenant, ['f10', 'f11']);
    await replica.service.settle(tenant);
    const audit = await openLatest(world, tenant);
    expect(audit.snapshotId > first.snapshotId!).toBe(true);
    expect(audit.kind).toBe('hnsw');
    expect(contains(audit.body, vectors[12])).toBe(true);
    expect(contains(audit.body, vectors[10])).toBe(false);
    expect(contains(audit.body, vectors[11])).toBe(false);
    expect(readHnswLayout(audit.body.subarray(0, HNSW_HEADER_BYTES)).count).toBe(400);
    // The old snapshot is gone.
    expect(await replica.service['snapshots'].list(tenant)).toEqual([audit.snapshotId]);
    await replica.close();

    // Rows indexed while the replica was down.
    vectors.slice(400).forEach((v, i) => world.source.insert(tenant, `f${400 + i}`, v));
    world.source.calls.length = 0;
    replica = await startReplica(world);
    client = clientFor(replica);
    expect((await client.search(tenant, vectors[450], 1))[0].faceId).toBe('f450');
    expect(replica.logs()).toMatch(/"msg":"tenant index loaded"[^\n]*"from":"snapshot"/);
    // Only rows after the snapshot's watermark (minus the lookback) were read, not the whole tenant.
    expect(world.source.calls).toEqual([{ tenantId: tenant, afterSeq: 400 - 50 }]);
    const hits = await client.search(tenant, vectors[10], 500);
    expect(hits.map((h) => h.faceId)).not.toContain('f10');
    expect(hits).toHaveLength(498);
    await replica.close();
  });

  it('scan index: restarts from its snapshot plus newer rows; removed vectors are zero in the rewritten one', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(500, 21);
    vectors.slice(0, 400).forEach((v, i) => world.source.insert(tenant, `f${i}`, v));
    let replica = await startReplica(world, { largeIndex: 'scan' });
    await provision(replica, tenant);
    let client = clientFor(replica);
    expect((await client.search(tenant, vectors[10], 1))[0].faceId).toBe('f10');
    await replica.service.settle(tenant);
    expect(await client.stats(tenant)).toMatchObject({ kind: 'scan', count: 400 });
    await client.snapshot(tenant);

    expect(await client.remove(tenant, ['f10', 'f11'])).toEqual({ removed: 2, snapshotsDeleted: 0 });
    world.source.delete(tenant, ['f10', 'f11']);
    await replica.service.settle(tenant);
    const audit = await openLatest(world, tenant);
    expect(audit.kind).toBe('scan');
    // Float32 by label: every label keeps its place, removed ones are zeros.
    expect(audit.body.length).toBe(400 * vectors[0].length * 4);
    expect(contains(audit.body, vectors[12])).toBe(true);
    expect(contains(audit.body, vectors[10])).toBe(false);
    expect(contains(audit.body, vectors[11])).toBe(false);
    await replica.close();

    vectors.slice(400).forEach((v, i) => world.source.insert(tenant, `f${400 + i}`, v));
    replica = await startReplica(world, { largeIndex: 'scan' });
    client = clientFor(replica);
    expect((await client.search(tenant, vectors[450], 1))[0].faceId).toBe('f450');
    expect(replica.logs()).toMatch(/"msg":"tenant index loaded"[^\n]*"from":"snapshot"[^\n]*"kind":"scan"/);
    const hits = await client.search(tenant, vectors[10], 500);
    expect(hits).toHaveLength(498);
    expect(hits.map((h) => h.faceId)).not.toContain('f10');
    await replica.close();

    // A replica configured for HNSW converts the scan snapshot when it loads it.
    replica = await startReplica(world, { largeIndex: 'hnsw' });
    client = clientFor(replica);
    expect((await client.search(tenant, vectors[300], 1))[0].faceId).toBe('f300');
    expect(replica.logs()).toMatch(/"msg":"tenant index loaded"[^\n]*"from":"snapshot"/);
    await replica.service.settle(tenant);
    expect(await client.stats(tenant)).toMatchObject({ kind: 'hnsw', count: 498, rebuilding: false });
    await replica.close();
  });

  it('compaction rebuilds without deleted entries, writes a new snapshot and deletes the old one', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(400, 12);
    vectors.forEach((v, i) => world.source.insert(tenant, `c${i}`, v));
    const replica = await startReplica(world, { exactScanMax: 100 });
    await provision(replica, tenant);
    const client = clientFor(replica);
    await client.search(tenant, vectors[0], 1);
    await client.snapshot(tenant);
    const removed = Array.from({ length: 100 }, (_, i) => `c${i}`);
    expect(await client.remove(tenant, removed)).toEqual({ removed: 100, snapshotsDeleted: 0 });
    world.source.delete(tenant, removed);
    await replica.service.settle(tenant);
    const before = (await client.stats(tenant)).snapshotId;
    expect(await client.stats(tenant)).toMatchObject({ count: 300, deleted: 100 });

    // The periodic pass compacts (deleted share above compactDeletedRatio), then snapshots.
    await replica.service.maintainAll();
    await replica.service.settle(tenant);
    const after = await client.stats(tenant);
    expect(after).toMatchObject({ kind: 'hnsw', count: 300, deleted: 0, dirty: false });
    expect(after.snapshotId! > before!).toBe(true);
    expect(await replica.service['snapshots'].list(tenant)).toEqual([after.snapshotId]);
    expect((await client.search(tenant, vectors[200], 1))[0].faceId).toBe('c200');
    expect(replica.logs()).toContain('tenant index compacted');
    await replica.close();
  });

  it('an unusable snapshot is replaced by a rebuild from the database', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(50, 13);
    vectors.forEach((v, i) => world.source.insert(tenant, `d${i}`, v));
    let replica = await startReplica(world);
    await provision(replica, tenant);
    await clientFor(replica).search(tenant, vectors[0], 1);
    const { snapshotId } = await clientFor(replica).snapshot(tenant);
    await replica.close();

    const blobPath = join(world.config.storage.localDir, 'snapshots', tenant, snapshotId!);
    const bytes = readFileSync(blobPath);
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(blobPath, bytes);

    replica = await startReplica(world);
    const hits = await clientFor(replica).search(tenant, vectors[7], 50);
    expect(hits).toHaveLength(50);
    expect(hits[0].faceId).toBe('d7');
    expect(replica.logs()).toContain('tenant snapshot unusable, rebuilding from the database');
    expect(replica.logs()).toMatch(/"msg":"tenant index loaded"[^\n]*"from":"database"/);
    await replica.close();
  });

  it('dropTenant forgets the index and deletes its snapshots; the periodic pass heals adds that never arrived', async () => {
    const world = newWorld();
    const replica = await startReplica(world);
    const client = clientFor(replica);
    const tenant = TenantId.generate();
    await provision(replica, tenant);
    const vectors = faceVectors(20, 14);
    await client.search(tenant, vectors[0], 1);
    // Rows committed but never announced to the index (the indexer crashed before its add call).
    vectors.forEach((v, i) => world.source.insert(tenant, `e${i}`, v));
    expect(await client.search(tenant, vectors[3], 1)).toEqual([]);
    await replica.service.maintainAll();
    expect((await client.search(tenant, vectors[3], 1))[0].faceId).toBe('e3');
    expect((await client.stats(tenant)).snapshotId).toBeDefined();

    expect(await client.dropTenant(tenant)).toEqual({ dropped: true, snapshotsDeleted: 1 });
    expect((await client.stats(tenant)).state).toBe('absent');
    expect(await replica.service['snapshots'].list(tenant)).toEqual([]);
    await replica.close();
  });

  it('keeps loaded tenants under the memory budget, evicting the least recently used after snapshotting it', async () => {
    const world = newWorld({ VECTOR_INDEX_MEMORY_BUDGET_MB: '16' });
    const replica = await startReplica(world, { exactScanMax: 5000 });
    const client = clientFor(replica);
    const tenants = Array.from({ length: 4 }, () => TenantId.generate());
    const vectors = faceVectors(1200, 15);
    for (const t of tenants) {
      await provision(replica, t);
      vectors.forEach((v, i) => world.source.insert(t, `m${i}`, v));
    }
    for (const t of tenants) {
      expect((await client.search(t, vectors[5], 1))[0].faceId).toBe('m5');
    }
    for (const t of tenants) await replica.service.settle(t);
    const states = tenants.map((t) => replica.service.stats(t));
    const loaded = states.filter((s) => s.state === 'ready');
    expect(loaded.length).toBeLessThan(4);
    expect(loaded.reduce((sum, s) => sum + s.bytes, 0)).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(states[0].state).toBe('absent');
    expect(replica.logs()).toContain('tenant index evicted');
    // The evicted tenant comes back from its snapshot.
    world.source.calls.length = 0;
    expect((await client.search(tenants[0], vectors[9], 1))[0].faceId).toBe('m9');
    expect(world.source.calls).toEqual([{ tenantId: tenants[0], afterSeq: 1200 - 50 }]);
    await replica.close();
  });
});
