import { TenantId } from '@app/contracts';
import { type SnapshotStore } from '../src/snapshot/snapshot-store';
import {
  auditSnapshots,
  clientFor,
  closeAllReplicas,
  faceVectors,
  holdsVector,
  newWorld,
  openSnapshot,
  provision,
  startReplica,
  type World,
} from './vector-index-harness';

/** Every snapshot of the tenant in blob storage, decrypted: none may hold any of `vectors`. */
async function storedSnapshotsHolding(world: World, tenant: TenantId, vectors: Float32Array[]): Promise<{ ids: string[]; holding: string[] }> {
  const audit = auditSnapshots(world);
  const ids = await audit.store.list(tenant).finally(() => audit.close());
  const holding: string[] = [];
  for (const id of ids) {
    const { body } = await openSnapshot(world, tenant, id);
    if (vectors.some((v) => holdsVector(body, v))) holding.push(id);
  }
  return { ids, holding };
}

/**
 * remove(…, { purgeSnapshots: true }) for the Face Data Delete API: when it returns, no stored snapshot of
 * the tenant holds the removed vectors (API.md: "no index snapshot still holds them").
 */
describe('vector-index: removal with snapshot purge', () => {
  afterEach(closeAllReplicas);
  // Long enough that what a call leaves behind can be inspected before the deletion snapshot follows.
  const SLOW_DELETION_SNAPSHOT = { deletionSnapshotDelayMs: 1500 };

  it('a loaded tenant: snapshots written before the removal are deleted on return, a scrubbed one follows, a fresh load cannot find them', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(500, 21);
    vectors.forEach((v, i) => world.source.insert(tenant, `p${i}`, v));
    const replica = await startReplica(world, SLOW_DELETION_SNAPSHOT);
    await provision(replica, tenant);
    const client = clientFor(replica);
    expect((await client.search(tenant, vectors[10], 1))[0].faceId).toBe('p10');
    await replica.service.settle(tenant);
    const before = await client.snapshot(tenant);
    expect((await storedSnapshotsHolding(world, tenant, [vectors[10]])).holding).toEqual([before.snapshotId]);

    const removed = [vectors[10], vectors[11]];
    expect(await client.remove(tenant, ['p10', 'p11', 'never-added'], { purgeSnapshots: true })).toEqual({ removed: 2, snapshotsDeleted: 1 });
    // On return: nothing stored holds them (here: nothing stored at all), and the slot knows it has no snapshot.
    expect(await storedSnapshotsHolding(world, tenant, removed)).toEqual({ ids: [], holding: [] });
    expect(replica.service.stats(tenant)).toMatchObject({ snapshotId: undefined, dirty: true });
    expect((await client.search(tenant, vectors[10], 500)).map((h) => h.faceId)).not.toContain('p10');
    world.source.delete(tenant, ['p10', 'p11']);

    // The deletion timer writes a fresh snapshot, scrubbed, that still holds the others.
    await replica.service.settle(tenant);
    const after = await client.stats(tenant);
    expect(after).toMatchObject({ dirty: false, count: 498, deleted: 2 });
    const fresh = await storedSnapshotsHolding(world, tenant, removed);
    expect(fresh).toEqual({ ids: [after.snapshotId], holding: [] });
    expect(holdsVector((await openSnapshot(world, tenant, after.snapshotId!)).body, vectors[12])).toBe(true);
    await replica.close();

    // A new instance loads from that snapshot (plus the database, which no longer has the rows).
    const next = await startReplica(world);
    const hits = await clientFor(next).search(tenant, vectors[10], 500);
    expect(next.logs()).toMatch(/"msg":"tenant index loaded"[^\n]*"from":"snapshot"/);
    expect(hits).toHaveLength(498);
    expect(hits.map((h) => h.faceId)).not.toContain('p10');
    expect(hits.map((h) => h.faceId)).not.toContain('p11');
    // A late add of a removed face stays ignored (its tombstone travelled in the snapshot).
    expect(await clientFor(next).add(tenant, [{ faceId: 'p10', vector: vectors[10] }])).toMatchObject({ added: 0, skipped: 1 });
    await next.close();
  });

  it('a tenant not loaded here: its snapshots are deleted without loading it; the removed ids stay removed at the next load', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(120, 22);
    vectors.forEach((v, i) => world.source.insert(tenant, `u${i}`, v));
    const first = await startReplica(world);
    await provision(first, tenant);
    await clientFor(first).search(tenant, vectors[0], 1);
    await clientFor(first).snapshot(tenant);
    await first.close();
    expect((await storedSnapshotsHolding(world, tenant, [vectors[5]])).holding).toHaveLength(1);

    const replica = await startReplica(world);
    const client = clientFor(replica);
    world.source.calls.length = 0;
    expect(await client.remove(tenant, ['u5', 'u6'], { purgeSnapshots: true })).toEqual({ removed: 0, snapshotsDeleted: 1 });
    expect((await client.stats(tenant)).state).toBe('absent');
    expect(world.source.calls).toEqual([]);
    expect(replica.logs()).not.toContain('tenant index loaded');
    expect(await storedSnapshotsHolding(world, tenant, [vectors[5], vectors[6]])).toEqual({ ids: [], holding: [] });
    // Again: nothing left to delete.
    expect(await client.remove(tenant, ['u5'], { purgeSnapshots: true })).toEqual({ removed: 0, snapshotsDeleted: 0 });
    // Adds to a tenant not loaded are deferred to the database.
    expect(await client.add(tenant, [{ faceId: 'u5', vector: vectors[5] }])).toEqual({ added: 0, skipped: 0, deferred: 1 });

    // Even before the database delete commits, the next load (from the database: no snapshot) leaves them out.
    const hits = await client.search(tenant, vectors[5], 200);
    expect(replica.logs()).toMatch(/"msg":"tenant index loaded"[^\n]*"from":"database"/);
    expect(hits).toHaveLength(118);
    expect(hits.map((h) => h.faceId)).not.toContain('u5');
    expect(await client.add(tenant, [{ faceId: 'u6', vector: vectors[6] }])).toMatchObject({ added: 0, skipped: 1 });
    await replica.close();
  });

  it('a snapshot write racing the removal does not survive it, and is not taken as the snapshot in force', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(400, 23);
    vectors.forEach((v, i) => world.source.insert(tenant, `r${i}`, v));
    const replica = await startReplica(world, SLOW_DELETION_SNAPSHOT);
    await provision(replica, tenant);
    const client = clientFor(replica);
    await client.search(tenant, vectors[0], 1);
    await replica.service.settle(tenant);
    const older = (await client.snapshot(tenant)).snapshotId!;

    // Hold the racing write after the worker saved the index (with r7 in it), before it is sealed and stored.
    const store = replica.service['snapshots'] as SnapshotStore;
    const write = store.write.bind(store);
    let saved!: () => void;
    const savedSignal = new Promise<void>((resolve) => (saved = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let raced: { snapshotId: string; heldVector: boolean } | undefined;
    store.write = async (t, snapshotId, base, header) => {
      saved();
      await held;
      const written = await write(t, snapshotId, base, header);
      raced = { snapshotId, heldVector: holdsVector((await openSnapshot(world, tenant, snapshotId)).body, vectors[7]) };
      return written;
    };

    const snapshotting = replica.service.snapshotNow(tenant);
    await savedSignal;
    let answered = false;
    const removing = replica.service.remove(tenant, ['r7'], { purgeSnapshots: true }).finally(() => (answered = true));
    // Applied at once (unsearchable), but the answer waits for the write in flight.
    await new Promise((r) => setTimeout(r, 100));
    expect((await client.search(tenant, vectors[7], 400)).map((h) => h.faceId)).not.toContain('r7');
    expect(answered).toBe(false);
    release();
    expect(await removing).toEqual({ removed: 1, snapshotsDeleted: 2 });
    expect(replica.service.stats(tenant)).toMatchObject({ snapshotId: undefined, dirty: true });
    await snapshotting;
    store.write = write;

    // The racing snapshot really held the vector, was stored, and is gone; the slot does not point at it.
    expect(raced).toMatchObject({ heldVector: true });
    expect(raced!.snapshotId > older).toBe(true);
    const now = await storedSnapshotsHolding(world, tenant, [vectors[7]]);
    expect(now.holding).toEqual([]);
    expect(now.ids).not.toContain(raced!.snapshotId);
    expect(now.ids).not.toContain(older);
    expect(replica.service.stats(tenant).snapshotId).not.toBe(raced!.snapshotId);

    // A fresh scrubbed snapshot follows.
    await replica.service.settle(tenant);
    const after = await client.stats(tenant);
    expect(after.dirty).toBe(false);
    expect(await storedSnapshotsHolding(world, tenant, [vectors[7]])).toEqual({ ids: [after.snapshotId], holding: [] });
    await replica.close();
  });

  it('without purgeSnapshots the answer is unchanged (snapshotsDeleted 0) and the client splits long id lists', async () => {
    const world = newWorld();
    const tenant = TenantId.generate();
    const vectors = faceVectors(30, 24);
    vectors.forEach((v, i) => world.source.insert(tenant, `n${i}`, v));
    const replica = await startReplica(world, SLOW_DELETION_SNAPSHOT);
    await provision(replica, tenant);
    const client = clientFor(replica);
    await client.search(tenant, vectors[0], 1);
    await client.snapshot(tenant);
    expect(await client.remove(tenant, ['n1'])).toEqual({ removed: 1, snapshotsDeleted: 0 });
    const many = [...Array.from({ length: 10_500 }, (_, i) => `ghost${i}`), 'n2', 'n3'];
    expect(await client.remove(tenant, many, { purgeSnapshots: true })).toEqual({ removed: 2, snapshotsDeleted: 1 });
    expect(await storedSnapshotsHolding(world, tenant, vectors.slice(1, 4))).toEqual({ ids: [], holding: [] });
    await replica.close();
  });
});
