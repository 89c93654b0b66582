import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import {
  FacesearchAuthenticationError,
  FacesearchClient,
  type FacesearchClientOptions,
  FacesearchConflictError,
  FacesearchError,
  FacesearchNotFoundError,
  FacesearchPermissionError,
  FacesearchRateLimitError,
  FacesearchUnavailableError,
  FacesearchValidationError,
  type TenantListItem,
} from '@app/sdk';
import { captureLogs } from '@app/testing';
import { IndexerModule } from '../../indexer/src/indexer.module';
import { type GatewayHarness, startGateway } from './gateway-harness';
import { startRedisServer } from './redis-server';

/** Listens on a free loopback port, so the SDK talks to the gateway over real HTTP. */
async function listen(h: GatewayHarness): Promise<string> {
  await h.app.listen(0, '127.0.0.1');
  const { port } = h.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

async function caught(p: Promise<unknown>): Promise<FacesearchError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FacesearchError)) throw new Error(`expected a FacesearchError, got ${String(err)}`);
  return err;
}

describe('@app/sdk against the real gateway over HTTP', () => {
  let h: GatewayHarness;
  let indexer: INestApplication;
  let baseUrl: string;
  const client = (apiKey: string, extra: Partial<FacesearchClientOptions> = {}) => new FacesearchClient({ baseUrl, apiKey, timeoutMs: 10_000, ...extra });
  let operator: FacesearchClient;

  beforeAll(async () => {
    h = await startGateway();
    // An in-process indexer worker on the same Redis prefix answers pings, as in production.
    indexer = await NestFactory.create(IndexerModule.forRoot({ ...h.config, indexer: { ...h.config.indexer, port: 0 } }), {
      logger: captureLogs('warn').logger,
    });
    await indexer.init();
    baseUrl = await listen(h);
    operator = client(h.operatorToken);
  });
  afterAll(async () => {
    await indexer?.close();
    await h?.close();
  });

  it('health() and ready() answer without credentials', async () => {
    const anonymous = client('not-a-real-key');
    await expect(anonymous.health()).resolves.toEqual({ status: 'ok' });
    const ready = await anonymous.ready();
    expect(ready.status).toBe('ok');
    // Other dependencies (KMS, index) join the checks over time; all of them are up here.
    expect(ready.checks).toMatchObject({ postgres: 'up', redis: 'up' });
    expect(Object.values(ready.checks).every((c) => c === 'up')).toBe(true);
  });

  it('walks the flow: tenant → integrator key → list → revoke → the revoked key gets 401', async () => {
    const tenant = await operator.createTenant({ name: 'SDK Flow Co', retentionDays: 30 }, { idempotencyKey: randomUUID() });
    expect(tenant.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(tenant.adminApiKey).toMatch(/^fsk_/);
    await expect(operator.getTenant(tenant.tenantId)).resolves.toMatchObject({
      tenantId: tenant.tenantId,
      name: 'SDK Flow Co',
      retentionDays: 30,
      kmsKeyId: null,
      counts: { activeApiKeys: 1 },
    });

    const admin = client(tenant.adminApiKey);
    const created = await admin.createApiKey({ name: 'dam-sync', role: 'integrator' });
    expect(created).toMatchObject({ id: expect.any(String), name: 'dam-sync', role: 'integrator', key: expect.stringMatching(/^fsk_/) });
    const listed = await admin.listApiKeys();
    expect(listed.items.map((k) => k.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const integrator = client(created.key);
    // Valid credentials, wrong role: 403, not 401.
    await expect(integrator.getSettings()).rejects.toBeInstanceOf(FacesearchPermissionError);

    const revoked = await admin.revokeApiKey(created.id);
    expect(revoked).toMatchObject({ id: created.id, revokedAt: expect.any(String) });
    const err = await caught(integrator.getSettings({ requestId: 'sdk-e2e-revoked' }));
    expect(err).toBeInstanceOf(FacesearchAuthenticationError);
    expect(err).toMatchObject({ status: 401, kind: 'unauthenticated', requestId: 'sdk-e2e-revoked', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(created.key);

    expect((await admin.listApiKeys()).items.map((k) => k.id)).not.toContain(created.id);
    expect((await admin.listApiKeys({ includeRevoked: true })).items.map((k) => k.id)).toContain(created.id);
  });

  it('maps 400, 403, 404 and 409 to typed errors', async () => {
    const { adminApiKey } = await operator.createTenant({ name: 'SDK Errors Co' });
    const admin = client(adminApiKey);

    const forbidden = await caught(admin.listTenants());
    expect(forbidden).toBeInstanceOf(FacesearchPermissionError);
    expect(forbidden).toMatchObject({ status: 403, kind: 'forbidden', method: 'GET', path: '/v1/tenants' });
    await expect(operator.getSettings()).rejects.toBeInstanceOf(FacesearchPermissionError);

    await expect(operator.getTenant(randomUUID())).rejects.toBeInstanceOf(FacesearchNotFoundError);
    await expect(admin.revokeApiKey(randomUUID())).rejects.toMatchObject({ status: 404, kind: 'not_found' });

    const invalid = await caught(admin.createApiKey({ name: 'x', role: 'superuser' as never }));
    expect(invalid).toBeInstanceOf(FacesearchValidationError);
    expect(invalid.code).toBe('validation_failed');
    expect(invalid.fieldErrors.map((f) => f.field)).toEqual(['role']);
    await expect(admin.updateSettings({ matchThreshold: 2 })).rejects.toMatchObject({ status: 400, fieldErrors: [{ field: 'matchThreshold' }] });

    // The tenant's last active admin key cannot be revoked.
    const self = (await admin.listApiKeys()).items.find((k) => k.role === 'admin')!;
    await expect(admin.revokeApiKey(self.id)).rejects.toBeInstanceOf(FacesearchConflictError);
  });

  it('round-trips settings; the webhook secret is write-only and null clears it', async () => {
    const admin = client((await operator.createTenant({ name: 'SDK Settings Co' })).adminApiKey);
    const before = await admin.getSettings();
    expect(before.webhookSecretSet).toBe(false);

    const after = await admin.updateSettings({ matchThreshold: 0.72, qualityFilter: 'high', webhookSecret: 'whsec_0123456789abcdef' });
    expect(after).toEqual({ ...before, matchThreshold: 0.72, qualityFilter: 'high', webhookSecretSet: true });
    expect(JSON.stringify(after)).not.toContain('whsec_');
    await expect(admin.getSettings()).resolves.toEqual(after);

    await expect(admin.updateSettings({ webhookSecret: null })).resolves.toMatchObject({ webhookSecretSet: false, matchThreshold: 0.72 });
  });

  it('iterateTenants() walks every page via nextCursor', async () => {
    const mine = new Set<string>();
    for (let i = 0; i < 5; i++) mine.add((await operator.createTenant({ name: `SDK Paging ${i}` })).tenantId);

    const pageSizes: number[] = [];
    const seen: TenantListItem[] = [];
    for await (const page of operator.iterateTenants({ limit: 2 }).pages()) {
      pageSizes.push(page.items.length);
      seen.push(...page.items);
    }
    expect(pageSizes.length).toBeGreaterThanOrEqual(3);
    expect(pageSizes.every((n) => n <= 2)).toBe(true);
    const ids = seen.map((t) => t.tenantId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of mine) expect(ids).toContain(id);

    const items: string[] = [];
    for await (const t of operator.iterateTenants({ limit: 3 })) items.push(t.tenantId);
    for (const id of mine) expect(items).toContain(id);
  });

  it('pingWorker() goes through the queue to the indexer and back', async () => {
    const admin = client((await operator.createTenant({ name: 'SDK Ping Co' })).adminApiKey);
    const pong = await admin.pingWorker();
    expect(pong.worker).toMatch(/:\d+$/);
    expect(pong.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(pong.roundTripMs).toBeLessThan(5000);
  });

  it('rotateDataKey() answers 202 with the new version and its job', async () => {
    const { tenantId, adminApiKey } = await operator.createTenant({ name: 'SDK Rotate Co' });
    await expect(client(adminApiKey).rotateDataKey()).resolves.toEqual({ version: 2, previousVersion: 1, jobId: `rotate-data-key:${tenantId}:2` });
  });
});

describe('@app/sdk retries against the real rate limiter', () => {
  let h: GatewayHarness;
  let baseUrl: string;

  beforeAll(async () => {
    h = await startGateway({ RATE_LIMIT_PER_MINUTE: '2' });
    baseUrl = await listen(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('waits as long as Retry-After says (fake sleep), then surfaces FacesearchRateLimitError', async () => {
    const waits: number[] = [];
    const operator = new FacesearchClient({
      baseUrl,
      apiKey: h.operatorToken,
      maxRetries: 2,
      random: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await operator.listTenants({ limit: 1 });
    await operator.listTenants({ limit: 1 });
    const err = await caught(operator.listTenants({ limit: 1 }));
    expect(err).toBeInstanceOf(FacesearchRateLimitError);
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Two retries, each after the server's own Retry-After.
    expect(waits).toHaveLength(2);
    for (const ms of waits) {
      expect(ms).toBeGreaterThanOrEqual(1000);
      expect(ms).toBeLessThanOrEqual(60_000);
    }
  });
});

describe('@app/sdk with Redis down (fail closed)', () => {
  it('ready() resolves with the failing check, metered calls fail with FacesearchUnavailableError after retrying', async () => {
    const redis = await startRedisServer();
    let h: GatewayHarness | undefined;
    try {
      h = await startGateway({ REDIS_URL: redis.url });
      const waits: number[] = [];
      const operator = new FacesearchClient({
        baseUrl: await listen(h),
        apiKey: h.operatorToken,
        maxRetries: 1,
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      await expect(operator.listTenants({ limit: 1 })).resolves.toBeDefined();

      await redis.stop();
      await new Promise((r) => setTimeout(r, 300));

      const ready = await operator.ready();
      expect(ready.status).toBe('unavailable');
      expect(ready.checks.redis).toBe('down');
      const err = await caught(operator.listTenants({ limit: 1 }));
      expect(err).toBeInstanceOf(FacesearchUnavailableError);
      expect(err).toMatchObject({ code: 'rate_limiter_unavailable', retryAfterSeconds: expect.any(Number) });
      expect(waits).toHaveLength(1);
    } finally {
      await h?.close();
      await redis.stop();
    }
  });
});
