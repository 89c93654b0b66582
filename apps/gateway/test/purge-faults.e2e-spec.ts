import { type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { JobName, TenantId } from '@app/contracts';
import { EnvelopeService } from '@app/crypto';
import { FaceRepository, TenantDb } from '@app/persistence';
import { JobProducer } from '@app/queue';
import { BLOB_STORE, type BlobStore } from '@app/storage';
import { VectorIndexClient } from '@app/vector-client';
import {
  bearer,
  createTenant,
  exited,
  type GatewayHarness,
  type StackHarness,
  startGateway,
  startStack,
  startVectorIndex,
  startWorkerProcess,
} from './gateway-harness';
import { freePort } from './redis-server';

const MODEL = 'yunet-arcface-v1@1';

async function seedFaces(gateway: GatewayHarness, tid: TenantId, count: number): Promise<void> {
  const envelope = gateway.app.get(EnvelopeService);
  const faces = gateway.app.get(FaceRepository);
  for (let a = 0; a < count; a += 10) {
    const ids = Array.from({ length: Math.min(10, count - a) }, () => randomUUID());
    const sealed = await Promise.all(ids.map((id, i) => envelope.encrypt(tid, id, MODEL, Float32Array.from({ length: 512 }, (_, j) => Math.sin(a + i + j)))));
    await gateway.app.get(TenantDb).run(tid, async (tx) => {
      const gen = await faces.assetGeneration(tx, `asset-${a}`);
      await faces.replaceAssetFaces(
        tx,
        `asset-${a}`,
        gen,
        'e'.repeat(64),
        ids.map((id, i) => ({ id, box: { left: 0, top: 0, width: 0.2, height: 0.2 }, confidence: 0.9, quality: {}, modelSet: 'yunet-arcface-v1', modelVersion: '1', keyVersion: 1, embedding: sealed[i]! })),
        new Date(),
      );
    });
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const receiptOf = async (gateway: GatewayHarness, deletionId: string) =>
  (await gateway.http().get(`/v1/deletions/${deletionId}`).set(bearer(gateway.operatorToken)).expect(200)).body as Record<string, unknown>;

describe('tenant purge survives the vector index going down mid-purge', () => {
  let stack: StackHarness;
  afterAll(async () => {
    await stack?.close();
  });

  it('retries while the replica is down and completes once it is back; the receipt counts everything and no snapshot is left', async () => {
    const port = await freePort();
    stack = await startStack({ VECTOR_INDEX_URLS: `http://127.0.0.1:${port}` }, { vectorIndex: false });
    const gateway = stack.gateway;
    let vectors = await startVectorIndex(gateway.config, port);
    const { tenantId } = await createTenant(gateway, 'Flaky Index Co');
    const tid = TenantId.parse(tenantId);
    await seedFaces(gateway, tid, 200);
    const client = gateway.app.get(VectorIndexClient);
    expect((await client.stats(tid)).state).toBe('absent');
    await client.search(tid, Float32Array.from({ length: 512 }, (_, j) => Math.sin(j)), 5).catch(() => undefined);
    await waitFor('the tenant index to load', async () => ((await client.stats(tid)).state === 'ready' ? true : (await client.search(tid, Float32Array.from({ length: 512 }, () => 1), 1).catch(() => undefined), undefined)));
    expect((await client.snapshot(tid)).snapshotId).toEqual(expect.any(String));
    const blobs = gateway.app.get<BlobStore>(BLOB_STORE);
    expect(await blobs.list(`snapshots/${tenantId}/`)).not.toEqual([]);

    await vectors.close(); // the replica goes down
    const { deletionId } = (await gateway.http().delete(`/v1/tenants/${tenantId}`).set(bearer(gateway.operatorToken)).expect(202)).body;
    const queue = gateway.app.get(JobProducer).queueOf(JobName.PurgeTenant);
    await waitFor('a failed purge attempt', async () => ((await queue.getJob(`purge-tenant.${tenantId}.${deletionId}`))?.attemptsMade ?? 0) >= 1 || undefined);
    expect(await receiptOf(gateway, deletionId)).toMatchObject({ status: 'pending', verified: { searchable: null } });

    vectors = await startVectorIndex(gateway.config, port); // back
    try {
      const receipt = await waitFor('the purge to complete', async () => {
        const r = await receiptOf(gateway, deletionId);
        return r.status === 'completed' ? r : undefined;
      });
      expect(receipt).toMatchObject({ counts: { faces: 200, embeddings: 200, indexEntries: 200, snapshotsRewritten: 1, dataKeysDestroyed: 1 }, verified: { searchable: 0 } });
      expect(await blobs.list(`snapshots/${tenantId}/`)).toEqual([]);
      expect(await gateway.app.get(TenantDb).run(tid, (tx) => gateway.app.get(FaceRepository).count(tx))).toBe(0);
    } finally {
      await vectors.close();
    }
  }, 180_000);
});

describe('tenant purge survives kill -9 of the worker mid-purge', () => {
  let gateway: GatewayHarness;
  let stall: Server;
  const sockets: Socket[] = [];
  const workers: ChildProcess[] = [];

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    for (const s of sockets) s.destroy();
    await new Promise((r) => stall?.close(r));
    await gateway?.close();
  });

  it('a new worker takes the purge over and completes it with the counts of both runs', async () => {
    gateway = await startGateway();
    const { tenantId } = await createTenant(gateway, 'Crashy Worker Co');
    const tid = TenantId.parse(tenantId);
    await seedFaces(gateway, tid, 50);

    // A "replica" that accepts the index drop and never answers: the worker is stuck mid-purge there,
    // after the keys were shredded and the rows deleted.
    let dropSeen!: () => void;
    const dropArrived = new Promise<void>((r) => (dropSeen = r));
    stall = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (d) => {
        if (d.toString('latin1').startsWith(`DELETE /v1/tenants/${tenantId}`)) dropSeen();
      });
    });
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    const stallPort = (stall.address() as { port: number }).port;
    const first = startWorkerProcess(gateway, { VECTOR_INDEX_URLS: `http://127.0.0.1:${stallPort}` });
    workers.push(first);

    const { deletionId } = (await gateway.http().delete(`/v1/tenants/${tenantId}`).set(bearer(gateway.operatorToken)).expect(202)).body;
    await dropArrived;
    first.kill('SIGKILL');
    await exited(first);
    const mid = await receiptOf(gateway, deletionId);
    expect(mid).toMatchObject({ status: 'pending', counts: { faces: 50, dataKeysDestroyed: 1 } });

    const port = await freePort();
    const vectors = await startVectorIndex(gateway.config, port);
    try {
      workers.push(startWorkerProcess(gateway, { VECTOR_INDEX_URLS: `http://127.0.0.1:${port}` }));
      const receipt = await waitFor('the purge to complete', async () => {
        const r = await receiptOf(gateway, deletionId);
        return r.status === 'completed' ? r : undefined;
      });
      // The second run found nothing left to delete: the counts are the first run's, not zero.
      expect(receipt).toMatchObject({ counts: { faces: 50, embeddings: 50, dataKeysDestroyed: 1 }, verified: { searchable: 0 } });
    } finally {
      await vectors.close();
    }
  }, 180_000);
});
