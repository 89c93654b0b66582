import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { captureLogs } from '@app/testing';
import { IndexerModule } from '../../indexer/src/indexer.module';
import { bearer, createTenant, type GatewayHarness, startGateway } from './gateway-harness';

describe('gateway → Redis (BullMQ) → indexer worker, end to end', () => {
  let gateway: GatewayHarness;
  let indexer: INestApplication;

  beforeAll(async () => {
    gateway = await startGateway();
    // The worker shares the gateway's configuration (same Redis prefix), as in production.
    indexer = await NestFactory.create(IndexerModule.forRoot({ ...gateway.config, indexer: { ...gateway.config.indexer, port: 0 } }), {
      logger: captureLogs('warn').logger,
    });
    await indexer.init();
  });

  afterAll(async () => {
    await indexer?.close();
    await gateway?.close();
  });

  it('a ping job carrying the tenant id goes through the queue to a worker and back', async () => {
    const { adminKey } = await createTenant(gateway, 'Queue Co');
    const res = await gateway.http().post('/v1/diagnostics/ping').set(bearer(adminKey)).expect(200);
    expect(res.body.worker).toMatch(/:\d+$/);
    expect(res.body.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(res.body.roundTripMs).toBeLessThan(5000);
  });

  it('only admins may ping', async () => {
    const { adminKey } = await createTenant(gateway, 'Queue Roles Co');
    const integrator = await gateway.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'i', role: 'integrator' }).expect(201);
    await gateway.http().post('/v1/diagnostics/ping').set(bearer(integrator.body.key)).expect(403);
  });
});
