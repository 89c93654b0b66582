import { type Queue } from 'bullmq';
import { JobName, TenantId } from '@app/contracts';
import { AuditService } from '@app/audit';
import { EnvelopeService, TenantKeyService } from '@app/crypto';
import { FaceRepository, TenantDb } from '@app/persistence';
import { randomUUID } from 'node:crypto';
import { JobProducer } from '@app/queue';
import { bearer, createTenant, type GatewayHarness, type StackHarness, startStack } from './gateway-harness';

describe('POST /v1/settings/rotate-data-key (gateway + indexer)', () => {
  let stack: StackHarness;
  let gateway: GatewayHarness;

  beforeAll(async () => {
    // Gateway and worker on one configuration (same Redis prefix), as in production.
    stack = await startStack();
    gateway = stack.gateway;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers 202, switches to the new version at once, re-seals stored embeddings, then destroys the old version', async () => {
    const { tenantId, adminKey } = await createTenant(gateway, 'Rotate Co');
    const tid = TenantId.parse(tenantId);
    const envelope = gateway.app.get(EnvelopeService);
    const faces = gateway.app.get(FaceRepository);
    const db = gateway.app.get(TenantDb);
    const vector = Float32Array.from({ length: 512 }, (_, i) => Math.cos(i) / 16);
    const faceIds = Array.from({ length: 5 }, () => randomUUID());
    const sealed = await Promise.all(faceIds.map((id) => envelope.encrypt(tid, id, 'yunet-arcface-v1@1', vector)));
    await db.run(tid, async (tx) => {
      const gen = await faces.assetGeneration(tx, 'asset-1');
      await faces.replaceAssetFaces(tx, 'asset-1', gen, 'f'.repeat(64), faceIds.map((id, i) => ({
        id, box: { left: 0.1, top: 0.1, width: 0.2, height: 0.2 }, confidence: 0.9, quality: { size: 80 },
        modelSet: 'yunet-arcface-v1', modelVersion: '1', keyVersion: 1, embedding: sealed[i],
      })), new Date());
    });
    const res = await gateway.http().post('/v1/settings/rotate-data-key').set(bearer(adminKey)).expect(202);
    expect(res.body).toEqual({ version: 2, previousVersion: 1, jobId: `rotate-data-key.${tenantId}.2` });

    const keys = gateway.app.get(TenantKeyService);
    const id = TenantId.parse(tenantId);
    expect((await keys.listVersions(id)).find((v) => v.current)?.version).toBe(2);

    // The job waits for other replicas' caches to move on; promote it instead of waiting 30 s.
    const queue: Queue = gateway.app.get(JobProducer).queueOf(JobName.RotateDataKey);
    const job = (await queue.getJob(res.body.jobId))!;
    expect(await job.getState()).toBe('delayed');
    await job.promote();
    for (let i = 0; i < 100 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 100));
    const done = (await queue.getJob(res.body.jobId))!;
    expect(done.returnvalue).toEqual({ reencrypted: 5, destroyedVersion: 1 });
    const rows = await db.run(tid, (tx) => faces.sealedSince(tx, 0, 100));
    expect(rows.map((r) => r.keyVersion)).toEqual([2, 2, 2, 2, 2]);
    for (const r of rows) {
      expect(envelope.keyVersionOf(r.embedding)).toBe(2);
      expect(Array.from(await envelope.decrypt(tid, r.id, 'yunet-arcface-v1@1', r.embedding))).toEqual(Array.from(vector));
    }
    // A copy of an old ciphertext (a backup row) no longer decrypts once v1 is destroyed.
    keys.evictTenant(tid);
    await expect(envelope.decrypt(tid, faceIds[0], 'yunet-arcface-v1@1', sealed[0])).rejects.toMatchObject({ code: 'key_destroyed' });

    const versions = await keys.listVersions(id);
    expect(versions.find((v) => v.version === 1)?.destroyedAt).not.toBeNull();
    const actions = (await gateway.app.get(AuditService).list(id, { limit: 20 })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['data_key.rotation_requested', 'data_key.rotation_completed']));
  });

  it('is admin-only', async () => {
    const { adminKey } = await createTenant(gateway, 'Rotate Roles Co');
    const integrator = await gateway.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'i', role: 'integrator' }).expect(201);
    await gateway.http().post('/v1/settings/rotate-data-key').set(bearer(integrator.body.key)).expect(403);
  });
});
