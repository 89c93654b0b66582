import { type Queue } from 'bullmq';
import { createServer } from 'node:http';
import { Client } from 'pg';
import { JobName, TenantId } from '@app/contracts';
import { AuditService } from '@app/audit';
import { EnvelopeService, TenantKeyService } from '@app/crypto';
import { DeliverWebhook, signWebhook } from '@app/indexing';
import { FaceRepository, IndexJobRepository, TenantDb, WEBHOOK_SECRET_PURPOSE } from '@app/persistence';
import { randomUUID } from 'node:crypto';
import { JobProducer } from '@app/queue';
import { bearer, createTenant, type GatewayHarness, type StackHarness, startStack } from './gateway-harness';

describe('POST /v1/settings/rotate-data-key (gateway + indexer)', () => {
  let stack: StackHarness;
  let gateway: GatewayHarness;

  beforeAll(async () => {
    // Gateway and worker on one configuration (same Redis prefix), as in production. Callbacks may
    // reach this test's loopback receiver.
    stack = await startStack({ SOURCE_URL_ALLOW_HTTP: 'true', SOURCE_PRIVATE_ALLOWLIST: '127.0.0.0/8' });
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

  it('re-seals the webhook secret too: after the old version is destroyed, callbacks are still signed with it', async () => {
    const { tenantId, adminKey } = await createTenant(gateway, 'Rotate Hook Co');
    const tid = TenantId.parse(tenantId);
    const secret = 'whsec-rotation-0123456789abcdef';
    await gateway.http().patch('/v1/settings').set(bearer(adminKey)).send({ webhookSecret: secret }).expect(200);
    const owner = new Client({ connectionString: gateway.config.db.adminUrl });
    await owner.connect();
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['facesearch-signature']) });
        res.writeHead(204).end();
      });
    });
    const received: { body: string; signature: string }[] = [];
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const rawRow = async () => (await owner.query(`SELECT * FROM tenants WHERE id = $1`, [tenantId])).rows[0] as Record<string, unknown>;
      const before = await rawRow();
      expect(before).toMatchObject({ webhook_secret: null, webhook_secret_key_version: 1 });
      const oldSealed = before.webhook_secret_sealed as Buffer;

      const res = await gateway.http().post('/v1/settings/rotate-data-key').set(bearer(adminKey)).expect(202);
      const queue: Queue = gateway.app.get(JobProducer).queueOf(JobName.RotateDataKey);
      const job = (await queue.getJob(res.body.jobId))!;
      await job.promote();
      for (let i = 0; i < 100 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 100));
      expect((await queue.getJob(res.body.jobId))!.returnvalue).toEqual({ reencrypted: 1, destroyedVersion: 1 });

      const keys = gateway.app.get(TenantKeyService);
      expect((await keys.listVersions(tid)).find((v) => v.version === 1)?.destroyedAt).not.toBeNull();
      const after = await rawRow();
      expect(after).toMatchObject({ webhook_secret: null, webhook_secret_key_version: 2 });
      expect(Buffer.from(secret).length).toBeGreaterThan(8);
      expect((after.webhook_secret_sealed as Buffer).includes(Buffer.from(secret).subarray(0, 8))).toBe(false);
      // The copy sealed under v1 (a backup) is unreadable now.
      const envelope = gateway.app.get(EnvelopeService);
      keys.evictTenant(tid);
      await expect(envelope.openSecret(tid, WEBHOOK_SECRET_PURPOSE, oldSealed)).rejects.toMatchObject({ code: 'key_destroyed' });
      await gateway.http().get('/v1/settings').set(bearer(adminKey)).expect(200).expect((r) => expect(r.body.webhookSecretSet).toBe(true));

      // The worker signs a callback with the re-sealed secret (its DEK cache never held v2 before).
      const jobId = randomUUID();
      await gateway.app.get(TenantDb).run(tid, (tx) =>
        gateway.app.get(IndexJobRepository).insertIfAbsent(tx, { id: jobId, assetId: 'hooked', sourceKind: 'upload', contentSha256: 'a'.repeat(64), options: {}, assetGeneration: 0 }),
      );
      const port = (hook.address() as { port: number }).port;
      await expect(stack.indexer.get(DeliverWebhook).execute({ tenantId: tid, jobId, callbackUrl: `http://127.0.0.1:${port}/hook` })).resolves.toEqual({ status: 204 });
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0].body)).toMatchObject({ type: 'index.job.queued', job: { jobId } });
      const t = Number(/t=(\d+)/.exec(received[0].signature)![1]);
      expect(received[0].signature).toBe(signWebhook(secret, received[0].body, t));
    } finally {
      await owner.end();
      await new Promise((r) => hook.close(r));
    }
  });

  it('is admin-only', async () => {
    const { adminKey } = await createTenant(gateway, 'Rotate Roles Co');
    const integrator = await gateway.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'i', role: 'integrator' }).expect(201);
    await gateway.http().post('/v1/settings/rotate-data-key').set(bearer(integrator.body.key)).expect(403);
  });
});
