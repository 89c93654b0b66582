import { bearer, createTenant, type GatewayHarness, startGateway } from './gateway-harness';
import { startRedisServer } from './redis-server';

describe('per-key rate limiting in Redis', () => {
  let h: GatewayHarness;
  afterEach(async () => {
    await h?.close();
  });

  it('answers 429 with Retry-After once a key spends its budget, per key', async () => {
    h = await startGateway({ RATE_LIMIT_PER_MINUTE: '4' });
    const a = await createTenant(h, 'Limited A');
    const b = await createTenant(h, 'Limited B');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await h.http().get('/v1/settings').set(bearer(a.adminKey))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const limited = await h.http().get('/v1/settings').set(bearer(a.adminKey));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    expect(limited.body.code).toBe('rate_limited');
    // Another key has its own budget.
    await h.http().get('/v1/settings').set(bearer(b.adminKey)).expect(200);
    // Health is not metered.
    await h.http().get('/health/live').expect(200);
  });

  it('fails closed: with Redis stopped, metered routes answer 503 instead of letting traffic through', async () => {
    const redis = await startRedisServer();
    try {
      h = await startGateway({ REDIS_URL: redis.url });
      const { adminKey } = await createTenant(h, 'Outage Co');
      await h.http().get('/v1/settings').set(bearer(adminKey)).expect(200);

      await redis.stop();
      await new Promise((r) => setTimeout(r, 300));

      for (let i = 0; i < 3; i++) {
        const res = await h.http().get('/v1/settings').set(bearer(adminKey));
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect(res.body.code).toBe('rate_limiter_unavailable');
      }
      const ready = await h.http().get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ postgres: 'up', redis: 'down', kms: 'up' });
      // The process is still alive and answering.
      await h.http().get('/health/live').expect(200);
    } finally {
      await redis.stop();
    }
  });
});
