import { AuditService, chainHash, GENESIS_HASH } from '@app/audit';
import { TenantId } from '@app/contracts';
import { bearer, createTenant, type GatewayHarness, startGateway, keySecret } from './gateway-harness';

const PROBLEM = /application\/problem\+json/;

function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(PROBLEM);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(res.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
}

describe('gateway: tenants, API keys, settings (e2e over HTTP)', () => {
  let h: GatewayHarness;
  const secrets: string[] = [];

  beforeAll(async () => {
    h = await startGateway();
    secrets.push(h.operatorToken);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves liveness and readiness (Postgres + Redis) without credentials', async () => {
    await h.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await h.http().get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up', kms: 'up' } });
  });

  it('walks the acceptance flow: tenant → admin key → integrator key → list → revoke → 401', async () => {
    const { tenantId, adminKey } = await createTenant(h, 'Flow Co');
    secrets.push(adminKey);
    expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(adminKey).toMatch(/^fsk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);

    const created = await h.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'dam-sync', role: 'integrator' }).expect(201);
    expect(created.body).toMatchObject({ id: expect.any(String), role: 'integrator', key: expect.stringMatching(/^fsk_/) });
    const integratorKey: string = created.body.key;
    secrets.push(integratorKey);

    const list = await h.http().get('/v1/api-keys').set(bearer(adminKey)).expect(200);
    const ids = list.body.items.map((k: { id: string }) => k.id);
    expect(ids).toContain(created.body.id);
    // Never a secret or a hash in a listing.
    expect(JSON.stringify(list.body)).not.toContain(keySecret(integratorKey));
    expect(list.body.items[0]).not.toHaveProperty('secretHash');

    // The integrator key works (it reaches the role check: 403 on an admin route, not 401).
    await h.http().get('/v1/settings').set(bearer(integratorKey)).expect(403);

    const revoked = await h.http().delete(`/v1/api-keys/${created.body.id}`).set(bearer(adminKey)).expect(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const after = await h.http().get('/v1/settings').set(bearer(integratorKey));
    expectProblem(after, 401);

    const withRevoked = await h.http().get('/v1/api-keys?includeRevoked=true').set(bearer(adminKey)).expect(200);
    expect(withRevoked.body.items.map((k: { id: string }) => k.id)).toContain(created.body.id);
    const withoutRevoked = await h.http().get('/v1/api-keys').set(bearer(adminKey)).expect(200);
    expect(withoutRevoked.body.items.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
  });

  it('answers 401 for missing, garbled and unknown credentials', async () => {
    expectProblem(await h.http().get('/v1/settings'), 401);
    expectProblem(await h.http().get('/v1/settings').set('Authorization', 'Basic Zm9vOmJhcg=='), 401);
    expectProblem(await h.http().get('/v1/settings').set(bearer('fsk_garbled')), 401);
    expectProblem(await h.http().get('/v1/settings').set(bearer(`fsk_aaaaaaaaaaaa_${'A'.repeat(43)}`)), 401);
    // Right prefix, wrong secret.
    const { adminKey } = await createTenant(h, 'Prefix Co');
    const [, prefix] = adminKey.split('_');
    expectProblem(await h.http().get('/v1/settings').set(bearer(`fsk_${prefix}_${'B'.repeat(43)}`)), 401);
    expectProblem(await h.http().get('/v1/tenants').set(bearer('not-the-operator-token')), 401);
  });

  it('answers 403 for valid credentials on the wrong side, and audits tenant denials', async () => {
    const { tenantId, adminKey } = await createTenant(h, 'Roles Co');
    const auditor = await h.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'audit', role: 'auditor' }).expect(201);
    expectProblem(await h.http().get('/v1/tenants').set(bearer(adminKey)), 403);
    expectProblem(await h.http().get('/v1/settings').set(bearer(h.operatorToken)), 403);
    expectProblem(await h.http().post('/v1/api-keys').set(bearer(auditor.body.key)).send({ name: 'x', role: 'admin' }), 403);

    const summary = await h.http().get(`/v1/tenants/${tenantId}`).set(bearer(h.operatorToken)).expect(200);
    expect(summary.body).toMatchObject({ tenantId, name: 'Roles Co', retentionDays: 90, kmsKeyId: null, counts: { activeApiKeys: 2 } });

    // The tenant's audit trail: creation, both keys, the auditor's denial, the operator's read — hash-chained.
    const events = (await h.app.get(AuditService).list(TenantId.parse(tenantId), { limit: 100 })).reverse();
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['tenant.created', 'success'],
      ['api_key.created', 'success'],
      ['api_key.created', 'success'],
      ['access.denied', 'denied'],
      ['tenant.read', 'success'],
    ]);
    expect(events[3].actor).toEqual({ type: 'apiKey', keyId: auditor.body.id, role: 'auditor' });
    let prev = GENESIS_HASH;
    events.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      expect(e.prevHash).toBe(prev);
      const { hash, ...unsigned } = e;
      expect(chainHash(unsigned)).toBe(hash);
      prev = hash;
    });
  });

  it('answers 404 for ids that are not in this tenant, without revealing other tenants', async () => {
    const a = await createTenant(h, 'A Co');
    const b = await createTenant(h, 'B Co');
    const bKey = await h.http().post('/v1/api-keys').set(bearer(b.adminKey)).send({ name: 'b', role: 'integrator' }).expect(201);
    const cross = await h.http().delete(`/v1/api-keys/${bKey.body.id}`).set(bearer(a.adminKey));
    expectProblem(cross, 404);
    const missing = await h.http().delete('/v1/api-keys/00000000-0000-4000-8000-000000000000').set(bearer(a.adminKey));
    expectProblem(missing, 404);
    expect(cross.body.detail).toBe(missing.body.detail);
    // B's key still works.
    await h.http().get('/v1/api-keys').set(bearer(b.adminKey)).expect(200);
    expectProblem(await h.http().get('/v1/tenants/00000000-0000-4000-8000-000000000000').set(bearer(h.operatorToken)), 404);
    expectProblem(await h.http().get('/v1/no-such-route').set(bearer(a.adminKey)), 404);
  });

  it('refuses to revoke the last admin key (409)', async () => {
    const { adminKey } = await createTenant(h, 'Last Co');
    const list = await h.http().get('/v1/api-keys').set(bearer(adminKey)).expect(200);
    expectProblem(await h.http().delete(`/v1/api-keys/${list.body.items[0].id}`).set(bearer(adminKey)), 409);
  });

  it('reads and changes settings; the webhook secret is write-only', async () => {
    const { adminKey } = await createTenant(h, 'Settings Co');
    const before = await h.http().get('/v1/settings').set(bearer(adminKey)).expect(200);
    expect(before.body).toEqual({ retentionDays: 90, matchThreshold: expect.any(Number), minFaceSize: expect.any(Number), maxFacesPerImage: expect.any(Number), qualityFilter: expect.any(String), webhookSecretSet: false });
    const patched = await h.http().patch('/v1/settings').set(bearer(adminKey)).send({ retentionDays: 30, qualityFilter: 'high', webhookSecret: 'whsec-0123456789abcdef' }).expect(200);
    expect(patched.body).toMatchObject({ retentionDays: 30, qualityFilter: 'high', webhookSecretSet: true });
    expect(JSON.stringify(patched.body)).not.toContain('whsec-0123456789abcdef');
    const again = await h.http().get('/v1/settings').set(bearer(adminKey)).expect(200);
    expect(again.body.retentionDays).toBe(30);
  });

  describe('bad input never crashes and gets the right 4xx problem', () => {
    let adminKey: string;
    beforeAll(async () => {
      ({ adminKey } = await createTenant(h, 'Bad Input Co'));
    });

    it('malformed JSON → 400 malformed_json', async () => {
      const res = await h.http().post('/v1/api-keys').set(bearer(adminKey)).set('Content-Type', 'application/json').send('{"name": "x",');
      expectProblem(res, 400);
      expect(res.body.code).toBe('malformed_json');
    });

    it('unknown fields → 400 naming the field', async () => {
      const res = await h.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'x', role: 'admin', isRoot: true });
      expectProblem(res, 400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'isRoot' })]));
    });

    it('wrong types and values → 400 naming each field', async () => {
      const res = await h.http().patch('/v1/settings').set(bearer(adminKey)).send({ retentionDays: 'ninety', matchThreshold: 7, qualityFilter: 'best' });
      expectProblem(res, 400);
      const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
      expect(fields).toEqual(['matchThreshold', 'qualityFilter', 'retentionDays']);
      const role = await h.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'x', role: 'root' });
      expectProblem(role, 400);
    });

    it('a 20 MB JSON body → 413 without buffering it', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(20 * 1024 * 1024), role: 'admin' });
      const res = await h.http().post('/v1/api-keys').set(bearer(adminKey)).set('Content-Type', 'application/json').send(big);
      expectProblem(res, 413);
      expect(res.body.code).toBe('body_too_large');
    });

    it('a bad id or query → 400, and the server still answers afterwards', async () => {
      expectProblem(await h.http().delete('/v1/api-keys/not-a-uuid').set(bearer(adminKey)), 400);
      expectProblem(await h.http().get('/v1/tenants?limit=5000').set(bearer(h.operatorToken)), 400);
      expectProblem(await h.http().get('/v1/tenants?cursor=%%%').set(bearer(h.operatorToken)), 400);
      await h.http().get('/health/live').expect(200);
    });
  });

  it('paginates tenants with an opaque cursor', async () => {
    for (let i = 0; i < 3; i++) await createTenant(h, `Page ${i}`);
    const first = await h.http().get('/v1/tenants?limit=2').set(bearer(h.operatorToken)).expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.http().get(`/v1/tenants?limit=2&cursor=${first.body.nextCursor}`).set(bearer(h.operatorToken)).expect(200);
    const firstIds = first.body.items.map((t: { tenantId: string }) => t.tenantId);
    for (const t of second.body.items) expect(firstIds).not.toContain(t.tenantId);
  });

  it('publishes every route in OpenAPI, and metrics', async () => {
    const doc = await h.http().get('/openapi.json').expect(200);
    const paths = Object.keys(doc.body.paths);
    for (const p of ['/v1/tenants', '/v1/tenants/{tenantId}', '/v1/api-keys', '/v1/api-keys/{id}', '/v1/settings', '/health/live', '/health/ready', '/metrics', '/v1/diagnostics/ping']) {
      expect(paths).toContain(p);
    }
    expect(doc.body.paths['/v1/api-keys'].post.responses['201']).toBeDefined();
    // The Face Data Delete API (API.md), with its receipts.
    expect(doc.body.paths['/v1/faces/{faceId}'].delete.responses['200']).toBeDefined();
    expect(doc.body.paths['/v1/assets/{assetId}/faces'].delete.responses['200']).toBeDefined();
    expect(doc.body.paths['/v1/persons/{personId}'].delete.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'withFaces', in: 'query' })]));
    expect(doc.body.paths['/v1/face-data'].delete.responses['202']).toBeDefined();
    expect(doc.body.paths['/v1/deletions/{deletionId}'].get.responses['200']).toBeDefined();
    await h.http().get('/docs').expect(200);
    const metrics = await h.http().get('/metrics').expect(200);
    expect(metrics.text).toContain('facesearch_http_requests_total');
  });

  it('never writes a secret to the logs', async () => {
    // The other tests ran through this same gateway and logger.
    const logs = h.logs();
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).toContain('"msg":"request"');
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      // The random part after the fixed prefix (op_ for the operator token). Not split('_').pop(): base64url
      // has '_' too, so that gave a few trailing characters (or '') 1 time in ~20, found in any log.
      const tail = secret.startsWith('fsk_') ? keySecret(secret) : secret.replace(/^op_/, '');
      expect(logs).not.toContain(tail);
    }
    expect(logs).not.toContain('whsec-0123456789abcdef');
    expect(logs.toLowerCase()).not.toContain('bearer ');
  });
});
