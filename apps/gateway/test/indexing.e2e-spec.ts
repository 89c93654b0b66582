import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { TenantId } from '@app/contracts';
import { signWebhook } from '@app/indexing';
import { FaceRepository, TenantDb } from '@app/persistence';
import { FACES_DIR, installTestModels } from '@app/testing';
import { bearer, createTenant, type GatewayHarness, type StackHarness, startStack } from './gateway-harness';

const photo = (f: string) => readFileSync(resolve(FACES_DIR, 'deepface', f));

describe('indexing: gateway → queue → indexer (real face engine) → Postgres', () => {
  let stack: StackHarness;
  let gateway: GatewayHarness;
  let images: Server;
  let imagesUrl: string;
  let integratorKey: string;
  let tenantId: string;

  beforeAll(async () => {
    const modelsDir = installTestModels();
    stack = await startStack({ FACESEARCH_MODELS_DIR: modelsDir, SOURCE_URL_ALLOW_HTTP: 'true', SOURCE_PRIVATE_ALLOWLIST: '127.0.0.0/8', INDEXER_CONCURRENCY: '2' });
    gateway = stack.gateway;
    images = createServer((req, res) => {
      if (req.url === '/couple.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo('couple.jpg'));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
    const addr = images.address();
    imagesUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const t = await createTenant(gateway, 'Index Co');
    tenantId = t.tenantId;
    integratorKey = (await gateway.http().post('/v1/api-keys').set(bearer(t.adminKey)).send({ name: 'dam', role: 'integrator' }).expect(201)).body.key;
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await new Promise((r) => images?.close(r));
  });

  async function waitForJob(jobId: string, key = integratorKey): Promise<Record<string, unknown>> {
    // Generous: a loaded CI machine runs several face-engine suites at once.
    for (let i = 0; i < 900; i++) {
      const res = await gateway.http().get(`/v1/jobs/${jobId}`).set(bearer(key)).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('job did not finish');
  }

  it('indexes an uploaded photo, stores only sealed embeddings, and deletes the upload', async () => {
    const res = await gateway.http().post('/v1/assets/photo-1/index').set(bearer(integratorKey)).attach('image', photo('img1.jpg'), 'img1.jpg').expect(202);
    expect(res.body).toMatchObject({ assetId: 'photo-1', status: 'queued' });
    const job = await waitForJob(res.body.jobId);
    expect(job).toMatchObject({ status: 'completed', facesIndexed: 1 });

    const faces = await gateway.http().get('/v1/assets/photo-1/faces').set(bearer(integratorKey)).expect(200);
    expect(faces.body.faces).toHaveLength(1);
    const box = faces.body.faces[0].boundingBox;
    for (const v of [box.left, box.top, box.width, box.height]) expect(v).toBeGreaterThanOrEqual(0);
    expect(box.left + box.width).toBeLessThanOrEqual(1);
    expect(faces.body.faces[0].modelSet).toMatch(/^yunet-arcface-v1@\d/);

    const rows = await gateway.app.get(TenantDb).run(TenantId.parse(tenantId), (tx) => gateway.app.get(FaceRepository).sealedSince(tx, 0, 10));
    expect(rows).toHaveLength(1);
    expect(rows[0].embedding.length).toBe(41 + 512 * 4);
    expect(rows[0].keyVersion).toBe(1);

    const uploads = join(gateway.config.storage.localDir, 'uploads', tenantId);
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
  });

  it('returns the same job for the same image instead of indexing twice', async () => {
    const first = await gateway.http().post('/v1/assets/photo-2/index').set(bearer(integratorKey)).attach('image', photo('img2.jpg'), 'x.jpg').expect(202);
    await waitForJob(first.body.jobId);
    const again = await gateway.http().post('/v1/assets/photo-2/index').set(bearer(integratorKey)).attach('image', photo('img2.jpg'), 'y.jpg').expect(202);
    expect(again.body.jobId).toBe(first.body.jobId);
    expect(again.body.status).toBe('completed');
  });

  it('fetches a URL source and finds both faces of couple.jpg', async () => {
    const res = await gateway.http().post('/v1/assets/couple/index').set(bearer(integratorKey)).send({ source: { url: `${imagesUrl}/couple.jpg` } }).expect(202);
    expect(await waitForJob(res.body.jobId)).toMatchObject({ status: 'completed', facesIndexed: 2 });
    const list = await gateway.http().get('/v1/faces?limit=2').set(bearer(integratorKey)).expect(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.nextCursor).toEqual(expect.any(String));
  });

  it('fails bad images and missing sources with API.md codes, without retrying them', async () => {
    const text = await gateway.http().post('/v1/assets/bad-1/index').set(bearer(integratorKey)).attach('image', Buffer.from('hello, not an image'), 'a.jpg').expect(202);
    expect(await waitForJob(text.body.jobId)).toMatchObject({ status: 'failed', error: { code: 'unsupported_format' } });
    const truncated = photo('img3.jpg').subarray(0, 2000);
    const trunc = await gateway.http().post('/v1/assets/bad-2/index').set(bearer(integratorKey)).attach('image', truncated, 'a.jpg').expect(202);
    expect(await waitForJob(trunc.body.jobId)).toMatchObject({ status: 'failed', error: { code: 'corrupt_image' } });
    const missing = await gateway.http().post('/v1/assets/bad-3/index').set(bearer(integratorKey)).send({ source: { url: `${imagesUrl}/nope.jpg` } }).expect(202);
    expect(await waitForJob(missing.body.jobId)).toMatchObject({ status: 'failed', error: { code: 'source_not_found' } });
  });

  it('refuses a non-http scheme synchronously (the SSRF rules of the fetch itself are covered in libs/sources)', async () => {
    const res = await gateway.http().post('/v1/assets/x/index').set(bearer(integratorKey)).send({ source: { url: 'ftp://127.0.0.1/a.jpg' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'source.url' })]));
  });

  it('rejects bad requests synchronously: no image, two images, a bad asset id, a too-large upload', async () => {
    expect((await gateway.http().post('/v1/assets/a/index').set(bearer(integratorKey)).send({})).status).toBe(400);
    const both = await gateway.http().post('/v1/assets/a/index').set(bearer(integratorKey)).field('source', JSON.stringify({ url: 'https://example.com/a.jpg' })).attach('image', photo('img1.jpg'), 'a.jpg');
    expect(both.status).toBe(400);
    expect((await gateway.http().post('/v1/assets/bad%20id/index').set(bearer(integratorKey)).send({ source: { url: 'https://example.com/a.jpg' } })).status).toBe(400);
    const big = await gateway.http().post('/v1/assets/big/index').set(bearer(integratorKey)).attach('image', Buffer.alloc(21 * 1024 * 1024, 1), 'big.jpg');
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('too_large');
  });

  it('queues a batch of URL sources, one job per item', async () => {
    const res = await gateway.http().post('/v1/index-jobs').set(bearer(integratorKey)).send({
      items: [
        { assetId: 'batch-1', source: { url: `${imagesUrl}/couple.jpg` } },
        { assetId: 'batch-2', source: { url: `${imagesUrl}/missing.jpg` } },
      ],
    }).expect(202);
    expect(res.body.jobs.map((j: { assetId: string }) => j.assetId)).toEqual(['batch-1', 'batch-2']);
    expect(await waitForJob(res.body.jobs[0].jobId)).toMatchObject({ status: 'completed', facesIndexed: 2 });
    expect(await waitForJob(res.body.jobs[1].jobId)).toMatchObject({ status: 'failed', error: { code: 'source_not_found' } });
    expect((await gateway.http().post('/v1/index-jobs').set(bearer(integratorKey)).send({ items: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ assetId: `a${i}`, source: { url: 'https://example.com/x.jpg' } }));
    expect((await gateway.http().post('/v1/index-jobs').set(bearer(integratorKey)).send({ items: tooMany })).status).toBe(400);
  });

  it('calls back the callbackUrl when the job ends, signed with the tenant\'s webhook secret, which is stored only sealed', async () => {
    const received: { body: string; signature: string }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['facesearch-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as { port: number }).port;
    // The database owner sees the raw row past row-level security, as a DBA or a backup would.
    const owner = new Client({ connectionString: gateway.config.db.adminUrl });
    await owner.connect();
    const rawRow = async (id: string) => (await owner.query(`SELECT * FROM tenants WHERE id = $1`, [id])).rows[0] as Record<string, unknown>;
    const waitForCallbacks = async (n: number) => {
      for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received).toHaveLength(n);
    };
    try {
      const { tenantId: hookTenant, adminKey } = await createTenant(gateway, 'Hook Co');
      const secret = 'whsec-test-0123456789abcdef';
      await gateway.http().patch('/v1/settings').set(bearer(adminKey)).send({ webhookSecret: secret }).expect(200);

      const row = await rawRow(hookTenant);
      expect(row.webhook_secret).toBeNull();
      expect(Buffer.isBuffer(row.webhook_secret_sealed)).toBe(true);
      expect(row.webhook_secret_key_version).toBe(1);
      expect(leakedIn(row, secret)).toEqual([]);

      const res = await gateway.http().post('/v1/assets/hooked/index').set(bearer(adminKey))
        .field('callbackUrl', `http://127.0.0.1:${port}/hook`).attach('image', photo('img5.jpg'), 'a.jpg').expect(202);
      await waitForJob(res.body.jobId, adminKey);
      await waitForCallbacks(1);
      const event = JSON.parse(received[0].body);
      expect(event).toMatchObject({ type: 'index.job.completed', job: { jobId: res.body.jobId, assetId: 'hooked', facesIndexed: 1 } });
      const t = Number(/t=(\d+)/.exec(received[0].signature)![1]);
      expect(received[0].signature).toBe(signWebhook(secret, received[0].body, t));
      expect(received[0].signature).not.toBe(signWebhook('another-secret-0123456789', received[0].body, t));
      expect(Math.abs(Date.now() / 1000 - t)).toBeLessThan(60);
      // Signing left the row as it was: nothing written back in clear.
      expect(leakedIn(await rawRow(hookTenant), secret)).toEqual([]);

      // A row from before migration 1764000000005 (plaintext column): the delivery seals and clears it first.
      const legacy = 'legacy-plaintext-webhook-secret-42';
      await owner.query(`UPDATE tenants SET webhook_secret = $2 WHERE id = $1`, [hookTenant, legacy]);
      const again = await gateway.http().post('/v1/assets/hooked-legacy/index').set(bearer(adminKey))
        .field('callbackUrl', `http://127.0.0.1:${port}/hook`).attach('image', photo('img5.jpg'), 'a.jpg').expect(202);
      await waitForJob(again.body.jobId, adminKey);
      await waitForCallbacks(2);
      const t2 = Number(/t=(\d+)/.exec(received[1].signature)![1]);
      expect(received[1].signature).toBe(signWebhook(legacy, received[1].body, t2));
      const sealedRow = await rawRow(hookTenant);
      expect(sealedRow.webhook_secret).toBeNull();
      expect(Buffer.isBuffer(sealedRow.webhook_secret_sealed)).toBe(true);
      expect(leakedIn(sealedRow, legacy)).toEqual([]);
    } finally {
      await owner.end();
      await new Promise((r) => hook.close(r));
    }
  });

  it('refuses a callbackUrl with a forbidden scheme or credentials synchronously', async () => {
    const res = await gateway.http().post('/v1/assets/x2/index').set(bearer(integratorKey)).send({ source: { url: `${imagesUrl}/couple.jpg` }, callbackUrl: 'https://user:pw@example.com/hook' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('source_forbidden');
  });

  it('never shows one tenant\'s jobs or faces to another (404)', async () => {
    const res = await gateway.http().post('/v1/assets/private/index').set(bearer(integratorKey)).attach('image', photo('img4.jpg'), 'a.jpg').expect(202);
    await waitForJob(res.body.jobId);
    const other = await createTenant(gateway, 'Other Co');
    await gateway.http().get(`/v1/jobs/${res.body.jobId}`).set(bearer(other.adminKey)).expect(404);
    await gateway.http().get('/v1/assets/private/faces').set(bearer(other.adminKey)).expect(404);
    const list = await gateway.http().get('/v1/faces').set(bearer(other.adminKey)).expect(200);
    expect(list.body.items).toEqual([]);
  });
});

/** Columns of `row` holding any 8-byte window of `secret`, or all of it hex- or base64-encoded. */
function leakedIn(row: Record<string, unknown>, secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const needles = [Buffer.from(bytes.toString('hex')), Buffer.from(bytes.toString('base64'))];
  for (let i = 0; i + 8 <= bytes.length; i++) needles.push(bytes.subarray(i, i + 8));
  return Object.entries(row)
    .filter(([, v]) => v !== null && v !== undefined)
    .filter(([, v]) => {
      const haystack = Buffer.isBuffer(v) ? v : Buffer.from(v instanceof Date ? v.toISOString() : JSON.stringify(v), 'utf8');
      return needles.some((n) => haystack.includes(n));
    })
    .map(([column]) => column);
}
