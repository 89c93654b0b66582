import { bearer, createTenant, type GatewayHarness, type StackHarness, startStack } from './gateway-harness';

describe('gateway → Redis (BullMQ) → indexer worker, end to end', () => {
  let stack: StackHarness;
  let gateway: GatewayHarness;

  beforeAll(async () => {
    // Gateway and worker on one configuration (same Redis prefix), as in production.
    stack = await startStack({}, { vectorIndex: false });
    gateway = stack.gateway;
  });

  afterAll(async () => {
    await stack?.close();
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
