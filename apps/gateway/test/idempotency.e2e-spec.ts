import { bearer, createTenant, type GatewayHarness, startGateway, keySecret } from './gateway-harness';

describe('Idempotency-Key on POSTs that create work', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGateway();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a retried create returns the first response (same key shown again) and creates nothing more', async () => {
    const { adminKey } = await createTenant(h, 'Idem Co');
    const send = (body: object, key = 'retry-0123456789') =>
      h.http().post('/v1/api-keys').set(bearer(adminKey)).set('Idempotency-Key', key).send(body);
    const first = await send({ name: 'sync', role: 'integrator' }).expect(201);
    const again = await send({ name: 'sync', role: 'integrator' }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const list = await h.http().get('/v1/api-keys').set(bearer(adminKey)).expect(200);
    expect(list.body.items.filter((k: { name: string }) => k.name === 'sync')).toHaveLength(1);

    // Same key, different request: 409. A fresh key: a new key is created.
    expect((await send({ name: 'other', role: 'integrator' })).status).toBe(409);
    const second = await send({ name: 'sync', role: 'integrator' }, 'another-key-0123456789').expect(201);
    expect(second.body.id).not.toBe(first.body.id);
    // Malformed keys are refused.
    expect((await send({ name: 'x', role: 'integrator' }, 'short')).status).toBe(400);
  });

  it('does not keep error answers: a failed request may be retried with the same key', async () => {
    const { adminKey } = await createTenant(h, 'Idem Err Co');
    const bad = await h.http().post('/v1/api-keys').set(bearer(adminKey)).set('Idempotency-Key', 'err-0123456789').send({ name: 'x', role: 'root' });
    expect(bad.status).toBe(400);
    const bad2 = await h.http().post('/v1/api-keys').set(bearer(adminKey)).set('Idempotency-Key', 'err-0123456789').send({ name: 'x', role: 'root' });
    expect(bad2.status).toBe(400);
  });

  it('never stores a response where Redis could read it', async () => {
    const { adminKey } = await createTenant(h, 'Idem Secret Co');
    const res = await h.http().post('/v1/api-keys').set(bearer(adminKey)).set('Idempotency-Key', 'secret-0123456789').send({ name: 's', role: 'admin' }).expect(201);
    const { Redis } = await import('ioredis');
    const redis = new Redis(h.config.redis.url);
    try {
      const keys = await redis.keys(`${h.config.redis.prefix}:idem:*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) {
        expect(k).not.toContain('secret-0123456789');
        const raw = (await redis.getBuffer(k))!;
        expect(raw.toString('latin1')).not.toContain(keySecret(res.body.key));
      }
    } finally {
      redis.disconnect();
    }
  });
});
