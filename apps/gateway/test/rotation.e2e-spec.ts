import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Queue } from 'bullmq';
import { JobName, TenantId } from '@app/contracts';
import { AuditService } from '@app/audit';
import { TenantKeyService } from '@app/crypto';
import { JobProducer } from '@app/queue';
import { captureLogs } from '@app/testing';
import { IndexerModule } from '../../indexer/src/indexer.module';
import { bearer, createTenant, type GatewayHarness, startGateway } from './gateway-harness';

describe('POST /v1/settings/rotate-data-key (gateway + indexer)', () => {
  let gateway: GatewayHarness;
  let indexer: INestApplication;

  beforeAll(async () => {
    gateway = await startGateway();
    indexer = await NestFactory.create(IndexerModule.forRoot({ ...gateway.config, indexer: { ...gateway.config.indexer, port: 0 } }), {
      logger: captureLogs('warn').logger,
    });
    await indexer.init();
  });
  afterAll(async () => {
    await indexer?.close();
    await gateway?.close();
  });

  it('answers 202, switches to the new version at once, and the job destroys the old one', async () => {
    const { tenantId, adminKey } = await createTenant(gateway, 'Rotate Co');
    const res = await gateway.http().post('/v1/settings/rotate-data-key').set(bearer(adminKey)).expect(202);
    expect(res.body).toEqual({ version: 2, previousVersion: 1, jobId: `rotate-data-key:${tenantId}:2` });

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
    expect(done.returnvalue).toEqual({ reencrypted: 0, destroyedVersion: 1 });

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
