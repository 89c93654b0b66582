import { Client } from 'pg';
import { bearer, createTenant, type GatewayHarness, startGateway, keySecret } from './gateway-harness';

describe('audit log: list, export, verify (auditor)', () => {
  let h: GatewayHarness;
  let tenantId: string;
  let adminKey: string;
  let auditorKey: string;

  beforeAll(async () => {
    h = await startGateway();
    ({ tenantId, adminKey } = await createTenant(h, 'Audit Co'));
    auditorKey = (await h.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'auditor', role: 'auditor' }).expect(201)).body.key;
    for (let i = 0; i < 3; i++) await h.http().patch('/v1/settings').set(bearer(adminKey)).send({ retentionDays: 30 + i }).expect(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists events newest first with a cursor; the auditor may read nothing else', async () => {
    const first = await h.http().get('/v1/audit-events?limit=2').set(bearer(auditorKey)).expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].seq).toBeGreaterThan(first.body.items[1].seq);
    const next = await h.http().get(`/v1/audit-events?limit=2&cursor=${first.body.nextCursor}`).set(bearer(auditorKey)).expect(200);
    expect(next.body.items[0].seq).toBeLessThan(first.body.items[1].seq);
    const filtered = await h.http().get('/v1/audit-events?action=settings.updated').set(bearer(auditorKey)).expect(200);
    expect(filtered.body.items.map((e: { action: string }) => e.action)).toEqual(['settings.updated', 'settings.updated', 'settings.updated']);
    expect(JSON.stringify(filtered.body)).not.toContain(keySecret(adminKey));
    await h.http().get('/v1/settings').set(bearer(auditorKey)).expect(403);
    const integrator = (await h.http().post('/v1/api-keys').set(bearer(adminKey)).send({ name: 'i', role: 'integrator' }).expect(201)).body.key;
    await h.http().get('/v1/audit-events').set(bearer(integrator)).expect(403);
  });

  it('exports JSON lines and CSV with the chain head, and the export is itself audited', async () => {
    const jsonl = await h.http().get('/v1/audit-events/export?format=jsonl').set(bearer(auditorKey)).buffer(true).parse((res, cb) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString('utf8')));
      res.on('end', () => cb(null, data));
    }).expect(200);
    const lines = (jsonl.body as string).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].seq).toBe(1);
    expect(lines.map((e: { seq: number }) => e.seq)).toEqual(lines.map((_: unknown, i: number) => i + 1));
    expect(lines[lines.length - 1].action).toBe('audit.exported');
    expect(jsonl.headers['facesearch-chain-head']).toBe(lines[lines.length - 1].hash);

    const csv = await h.http().get('/v1/audit-events/export?format=csv').set(bearer(auditorKey)).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).toMatch(/^eventId,seq,at,/);
    expect(rows.length).toBe(lines.length + 2); // header + one more export event
  });

  it('verifies the chain, and names the first changed event after tampering in Postgres', async () => {
    const ok = await h.http().get('/v1/audit-events/verify').set(bearer(auditorKey)).expect(200);
    expect(ok.body).toMatchObject({ valid: true, firstSeq: 1 });
    expect(ok.body.events).toBeGreaterThan(5);

    // The operator of the database (owner role, not the app's) changes one row.
    const admin = new Client({ connectionString: h.config.db.adminUrl });
    await admin.connect();
    try {
      await admin.query(`UPDATE audit_events SET details = '{"retentionDays": 999}'::jsonb WHERE tenant_id = $1 AND seq = 4`, [tenantId]);
    } finally {
      await admin.end();
    }
    const bad = await h.http().get('/v1/audit-events/verify').set(bearer(auditorKey)).expect(200);
    expect(bad.body).toMatchObject({ valid: false, brokenAtSeq: 4, reason: 'hash_mismatch' });
  });
});
