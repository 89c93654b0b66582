import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { signWebhook } from '@app/indexing';
import {
  FacesearchAuthenticationError,
  FacesearchClient,
  type FacesearchClientOptions,
  FacesearchConflictError,
  FacesearchError,
  FacesearchImageTooLargeError,
  FacesearchNotFoundError,
  FacesearchPermissionError,
  FacesearchRateLimitError,
  FacesearchTooLargeError,
  FacesearchUnavailableError,
  FacesearchUnprocessableError,
  FacesearchUnsupportedMediaError,
  FacesearchValidationError,
  type Face,
  type TenantListItem,
  verifyWebhookSignature,
} from '@app/sdk';
import { captureLogs, FACES_DIR, installTestModels } from '@app/testing';
import { IndexerModule } from '../../indexer/src/indexer.module';
import { type GatewayHarness, type StackHarness, startGateway, startStack } from './gateway-harness';
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

  it('an auditor reads the audit log page by page, filters it, and verifies its hash chain', async () => {
    const admin = client((await operator.createTenant({ name: 'SDK Audit Co' })).adminApiKey);
    const auditor = client((await admin.createApiKey({ name: 'compliance', role: 'auditor' })).key);
    for (let i = 0; i < 3; i++) await admin.createApiKey({ name: `k${i}`, role: 'integrator' });

    const created = await auditor.listAuditEvents({ action: 'api_key.created', limit: 2 });
    expect(created.items).toHaveLength(2);
    expect(created.nextCursor).toEqual(expect.any(String));
    const all = await auditor.iterateAuditEvents({ action: 'api_key.created', limit: 2 }).toArray();
    // The first admin key (by the operator), the auditor's, and three integrators'.
    expect(all.map((e) => e.details.role)).toEqual(['integrator', 'integrator', 'integrator', 'auditor', 'admin']);
    expect(all.every((e) => e.action === 'api_key.created' && e.outcome === 'success' && /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    const seqs = all.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const chain = await auditor.verifyAuditChain();
    expect(chain).toMatchObject({ valid: true, firstSeq: 1, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(chain.events).toBeGreaterThanOrEqual(5);
    await expect(client((await admin.createApiKey({ name: 'i', role: 'integrator' })).key).listAuditEvents()).rejects.toBeInstanceOf(FacesearchPermissionError);
  });

  it('rotateDataKey() answers 202 with the new version and its job', async () => {
    const { tenantId, adminApiKey } = await operator.createTenant({ name: 'SDK Rotate Co' });
    // The job id's format is the server's business; it names the tenant.
    await expect(client(adminApiKey).rotateDataKey()).resolves.toEqual({ version: 2, previousVersion: 1, jobId: expect.stringContaining(tenantId) });
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

describe('@app/sdk indexing, search, verify and tenant deletion against gateway + indexer + vector-index (real face engine)', () => {
  const photo = (f: string) => resolve(FACES_DIR, 'deepface', f);
  let stack: StackHarness;
  let baseUrl: string;
  let operator: FacesearchClient;
  let tenantId: string;
  let admin: FacesearchClient;
  let integrator: FacesearchClient;
  let images: Server;
  let imagesUrl: string;
  const client = (apiKey: string, extra: Partial<FacesearchClientOptions> = {}) => new FacesearchClient({ baseUrl, apiKey, timeoutMs: 20_000, ...extra });
  const wait = { intervalMs: 100, timeoutMs: 60_000 };

  beforeAll(async () => {
    // A photo server on loopback, for URL sources (allowed here by the SSRF allowlist).
    images = createServer((req, res) => {
      const file = /^\/(img\d+\.jpg)$/.exec(req.url ?? '')?.[1];
      if (!file || !existsSync(photo(file))) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(readFileSync(photo(file)));
    });
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
    imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    stack = await startStack({ FACESEARCH_MODELS_DIR: installTestModels(), INDEXER_CONCURRENCY: '2', SOURCE_URL_ALLOW_HTTP: 'true', SOURCE_PRIVATE_ALLOWLIST: '127.0.0.0/8' });
    baseUrl = await listen(stack.gateway);
    operator = client(stack.gateway.operatorToken);
    const tenant = await operator.createTenant({ name: 'SDK Indexing Co' });
    tenantId = tenant.tenantId;
    admin = client(tenant.adminApiKey);
    integrator = client((await admin.createApiKey({ name: 'dam-sync', role: 'integrator' })).key);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await new Promise((r) => images?.close(r));
  });

  it('indexes a photo by path: 202 queued, waitForJob → completed with 1 face, getAssetFaces', async () => {
    const accepted = await integrator.indexAsset('img1.jpg', { path: photo('img1.jpg') }, { maxFaces: 5, metadata: { album: 'sdk-e2e' } });
    expect(accepted).toMatchObject({ jobId: expect.stringMatching(/^[0-9a-f-]{36}$/), assetId: 'img1.jpg', status: 'queued', facesIndexed: 0, unindexedFaces: [], completedAt: null });

    const job = await integrator.waitForJob(accepted.jobId, wait);
    expect(job).toMatchObject({ jobId: accepted.jobId, assetId: 'img1.jpg', status: 'completed', facesIndexed: 1, completedAt: expect.any(String) });
    expect(job.error).toBeUndefined();
    await expect(integrator.getJob(accepted.jobId)).resolves.toEqual(job);

    const { assetId, faces } = await integrator.getAssetFaces('img1.jpg');
    expect(assetId).toBe('img1.jpg');
    expect(faces).toHaveLength(1);
    const [face] = faces;
    expect(face).toMatchObject({ faceId: expect.stringMatching(/^[0-9a-f-]{36}$/), assetId: 'img1.jpg', modelSet: expect.stringMatching(/^yunet-arcface-v1@/), indexedAt: expect.any(String) });
    const { left, top, width, height } = face.boundingBox;
    for (const v of [left, top, width, height]) expect(v).toBeGreaterThanOrEqual(0);
    expect(left + width).toBeLessThanOrEqual(1);
    expect(top + height).toBeLessThanOrEqual(1);
    expect(face.confidence).toBeGreaterThan(0.5);
  }, 90_000);

  it('indexes a stream and a buffer too; the same image again is the same job; iterateFaces walks every page', async () => {
    const fromStream = await integrator.indexAsset('img2.jpg', { stream: createReadStream(photo('img2.jpg')), filename: 'img2.jpg' });
    const fromBuffer = await integrator.indexAsset('img3.jpg', { buffer: readFileSync(photo('img3.jpg')) });
    for (const j of [fromStream, fromBuffer]) expect(await integrator.waitForJob(j.jobId, wait)).toMatchObject({ status: 'completed', facesIndexed: 1 });
    const again = await integrator.indexAsset('img2.jpg', { path: photo('img2.jpg') });
    expect(again).toMatchObject({ jobId: fromStream.jobId, status: 'completed' });

    const pages: number[] = [];
    const seen: Face[] = [];
    for await (const page of integrator.iterateFaces({ limit: 2 }).pages()) {
      pages.push(page.items.length);
      seen.push(...page.items);
    }
    expect(pages).toEqual([2, 1]);
    expect(seen.map((f) => f.assetId).sort()).toEqual(['img1.jpg', 'img2.jpg', 'img3.jpg']);
    expect(new Set(seen.map((f) => f.faceId)).size).toBe(3);
    const all: string[] = [];
    for await (const f of integrator.iterateFaces()) all.push(f.faceId);
    expect(all.sort()).toEqual(seen.map((f) => f.faceId).sort());
  }, 90_000);

  it('indexBatch(): one job per URL item, in order; a missing source fails its own job only', async () => {
    const other = client((await operator.createTenant({ name: 'SDK Batch Co' })).adminApiKey);
    const { jobs } = await other.indexBatch([
      { assetId: 'b-img5', source: { url: `${imagesUrl}/img5.jpg` }, maxFaces: 3 },
      { assetId: 'b-img6', source: { url: `${imagesUrl}/img6.jpg` }, metadata: { batch: '1' } },
      { assetId: 'b-missing', source: { url: `${imagesUrl}/img999.jpg` } },
    ]);
    expect(jobs.map((j) => j.assetId)).toEqual(['b-img5', 'b-img6', 'b-missing']);
    const done = await Promise.all(jobs.map((j) => other.waitForJob(j.jobId, wait)));
    expect(done.map((j) => [j.status, j.facesIndexed, j.error?.code])).toEqual([
      ['completed', 1, undefined],
      ['completed', 1, undefined],
      ['failed', 0, 'source_not_found'],
    ]);
    await expect(other.iterateFaces().toArray()).resolves.toHaveLength(2);
    await expect(other.indexBatch([])).rejects.toBeInstanceOf(FacesearchValidationError);
  }, 90_000);

  it('a job that fails says why; unknown ids are 404', async () => {
    const text = await integrator.indexAsset('notes.txt', { buffer: Buffer.from('hello, not an image'), filename: 'notes.jpg' });
    expect(await integrator.waitForJob(text.jobId, wait)).toMatchObject({ status: 'failed', facesIndexed: 0, error: { code: 'unsupported_format', detail: expect.any(String) } });
    await expect(integrator.getJob(randomUUID())).rejects.toBeInstanceOf(FacesearchNotFoundError);
    await expect(integrator.waitForJob(randomUUID(), wait)).rejects.toBeInstanceOf(FacesearchNotFoundError);
    await expect(integrator.getAssetFaces('never-indexed')).rejects.toMatchObject({ status: 404, kind: 'not_found' });
  }, 60_000);

  it('maps the synchronous image errors: 400 bad asset id, 413 too_large (server limit), 415 unsupported_format, 422 no_face', async () => {
    const badId = await caught(integrator.indexAsset('bad id', { url: 'https://example.com/a.jpg' }));
    expect(badId).toBeInstanceOf(FacesearchValidationError);

    // Refused client-side first; past that (maxBytes raised) the server's own limit answers.
    const big = Buffer.alloc(21 * 1024 * 1024, 1);
    await expect(integrator.indexAsset('big', { buffer: big })).rejects.toBeInstanceOf(FacesearchImageTooLargeError);
    const tooLarge = await caught(integrator.indexAsset('big', { buffer: big, maxBytes: 32 * 1024 * 1024 }));
    expect(tooLarge).toBeInstanceOf(FacesearchTooLargeError);
    expect(tooLarge).toMatchObject({ status: 413, code: 'too_large' });

    const unsupported = await caught(integrator.searchFacesByImage({ buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') }));
    expect(unsupported).toBeInstanceOf(FacesearchUnsupportedMediaError);
    expect(unsupported).toMatchObject({ status: 415, code: 'unsupported_format' });
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
    const noFace = await caught(integrator.searchFacesByImage({ buffer: blank, filename: 'blank.png' }, { maxResults: 5, maxQueryFaces: 2 }));
    expect(noFace).toBeInstanceOf(FacesearchUnprocessableError);
    expect(noFace).toMatchObject({ status: 422, code: 'no_face' });
    await expect(integrator.verify({ buffer: blank }, { path: photo('img1.jpg') })).rejects.toMatchObject({ status: 422, code: 'no_face' });
  }, 60_000);

  it('searchFacesByImage(): the same person\'s photos come first, each query face with its box; another tenant sees nothing', async () => {
    const { queryFaces } = await integrator.searchFacesByImage({ path: photo('img4.jpg') }, { maxResults: 10, threshold: 0 });
    expect(queryFaces).toHaveLength(1);
    const [q] = queryFaces;
    expect(q.confidence).toBeGreaterThan(0.5);
    expect(q.boundingBox.width).toBeGreaterThan(0);
    // img1 and img2 are the person of img4 (id00), img3 someone else (labels.csv).
    const assets = q.matches.map((m) => m.assetId);
    expect(assets.slice(0, 2).sort()).toEqual(['img1.jpg', 'img2.jpg']);
    expect(assets.slice(2)).toEqual(assets.length > 2 ? ['img3.jpg'] : []);
    const sims = q.matches.map((m) => m.similarity);
    expect(sims).toEqual([...sims].sort((x, y) => y - x));
    for (const m of q.matches) expect(m).toMatchObject({ faceId: expect.stringMatching(/^[0-9a-f-]{36}$/), boundingBox: { left: expect.any(Number) } });

    // The tenant's threshold (0.3) keeps the stranger out when none is given.
    const strict = await integrator.searchFacesByImage({ buffer: readFileSync(photo('img4.jpg')) });
    expect(strict.queryFaces[0].matches.map((m) => m.assetId).sort()).toEqual(['img1.jpg', 'img2.jpg']);

    const stranger = client((await operator.createTenant({ name: 'SDK Stranger Co' })).adminApiKey);
    const theirs = await stranger.searchFacesByImage({ path: photo('img4.jpg') }, { threshold: 0 });
    expect(theirs.queryFaces[0].matches).toEqual([]);
  }, 60_000);

  it('searchFacesByFace(): matches without the face itself; 404 for a face of no one here', async () => {
    const [img1] = (await integrator.getAssetFaces('img1.jpg')).faces;
    const { matches } = await integrator.searchFacesByFace(img1.faceId, { maxResults: 5 });
    expect(matches.map((m) => m.faceId)).not.toContain(img1.faceId);
    expect(matches.map((m) => m.assetId)).toEqual(['img2.jpg']);
    const limited = await integrator.searchFacesByFace(img1.faceId, { maxResults: 1, threshold: 0 });
    expect(limited.matches).toHaveLength(1);
    await expect(integrator.searchFacesByFace(randomUUID())).rejects.toBeInstanceOf(FacesearchNotFoundError);
  }, 60_000);

  it('verify(): an upload against a stored face (multipart + JSON field), two uploads, and two stored faces (JSON)', async () => {
    const [img1] = (await integrator.getAssetFaces('img1.jpg')).faces;
    const [img2] = (await integrator.getAssetFaces('img2.jpg')).faces;
    const [img3] = (await integrator.getAssetFaces('img3.jpg')).faces;

    const same = await integrator.verify({ path: photo('img4.jpg') }, { faceId: img1.faceId });
    expect(same).toMatchObject({ match: true, threshold: 0.3 });
    expect(same.similarity).toBeGreaterThan(0.3);
    const reversed = await integrator.verify({ faceId: img1.faceId }, { path: photo('img4.jpg') }, { threshold: 0.99 });
    expect(reversed).toEqual({ match: false, similarity: same.similarity, threshold: 0.99 });

    const uploads = await integrator.verify({ path: photo('img4.jpg') }, { stream: createReadStream(photo('img1.jpg')) });
    expect(uploads.match).toBe(true);
    expect(uploads.similarity).toBeCloseTo(same.similarity, 3);

    await expect(integrator.verify({ faceId: img1.faceId }, { faceId: img2.faceId })).resolves.toMatchObject({ match: true });
    const other = await integrator.verify({ faceId: img1.faceId }, { faceId: img3.faceId });
    expect(other.match).toBe(false);
    expect(other.similarity).toBeLessThan(same.similarity);
    await expect(integrator.verify({ faceId: img1.faceId }, { faceId: randomUUID() })).rejects.toBeInstanceOf(FacesearchNotFoundError);
  }, 60_000);

  it('deleteTenant(): 202 receipt id, keys revoked at once, waitForDeletion → completed receipt', async () => {
    const { deletionId } = await operator.deleteTenant(tenantId);
    expect(deletionId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(integrator.listFaces()).rejects.toBeInstanceOf(FacesearchAuthenticationError);

    const receipt = await operator.waitForDeletion(deletionId, wait);
    expect(receipt).toMatchObject({
      deletionId,
      scope: { type: 'tenant', id: tenantId },
      status: 'completed',
      requestedBy: { type: 'operator' },
      completedAt: expect.any(String),
      counts: { faces: 3, embeddings: 3 },
      verified: { searchable: 0 },
    });
    await expect(operator.getDeletion(deletionId)).resolves.toEqual(receipt);
    await expect(operator.getTenant(tenantId)).rejects.toBeInstanceOf(FacesearchNotFoundError);
    await expect(operator.deleteTenant(tenantId)).rejects.toBeInstanceOf(FacesearchNotFoundError);
  }, 60_000);

  it('listDeletions()/iterateDeletions(): a tenant admin reads its receipts (none yet); an integrator may not', async () => {
    const t = await operator.createTenant({ name: 'SDK Receipts Co' });
    const a = client(t.adminApiKey);
    await expect(a.listDeletions({ limit: 10 })).resolves.toEqual({ items: [], nextCursor: null });
    await expect(a.iterateDeletions().toArray()).resolves.toEqual([]);
    const i = client((await a.createApiKey({ name: 'i', role: 'integrator' })).key);
    await expect(i.listDeletions()).rejects.toBeInstanceOf(FacesearchPermissionError);
  });
});

describe('@app/sdk webhook verifier against the service\'s signer', () => {
  it('accepts what the indexer signs, and nothing else', () => {
    const secret = 'whsec_contract_0123456789';
    const body = JSON.stringify({ jobId: randomUUID(), assetId: 'a-1', status: 'completed', facesIndexed: 1 });
    const t = Math.floor(Date.now() / 1000);
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature({ payload: body, header, secret })).toEqual({ timestamp: t });
    expect(verifyWebhookSignature({ payload: Buffer.from(body, 'utf8'), header, secret }).timestamp).toBe(t);
    expect(() => verifyWebhookSignature({ payload: body, header, secret: 'whsec_other_0123456789' })).toThrow(/No signature matches/);
  });
});

describe('examples/index-and-search.ts against gateway + indexer + vector-index', () => {
  it('creates a tenant, indexes a folder, searches, deletes one asset (unsearchable at once), deletes the tenant and prints the receipts', async () => {
    const photos = mkdtempSync(join(tmpdir(), 'sdk-example-'));
    const stack = await startStack({ FACESEARCH_MODELS_DIR: installTestModels() });
    try {
      for (const f of ['img1.jpg', 'img2.jpg', 'img3.jpg', 'couple.jpg']) symlinkSync(resolve(FACES_DIR, 'deepface', f), join(photos, f));
      writeFileSync(join(photos, 'notes.jpg'), 'not a photo');
      const baseUrl = await listen(stack.gateway);
      const child = spawn(process.execPath, ['--require', './infra/scripts/swc-register.cjs', 'examples/index-and-search.ts'], {
        cwd: resolve(__dirname, '../../..'),
        env: { ...process.env, FACESEARCH_URL: baseUrl, FACESEARCH_OPERATOR_TOKEN: stack.gateway.operatorToken, PHOTOS_DIR: photos },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect({ code, out }).toMatchObject({ code: 0 });
      expect(out).toMatch(/4\/5 photos indexed, 5 faces/);
      expect(out).toMatch(/notes\.jpg: failed \(unsupported_format/);
      expect(out).toMatch(/couple\.jpg: 2 faces/);
      expect(out).toMatch(/searching with img1\.jpg:[\s\S]*img1\.jpg \(the query photo itself\)[\s\S]*img2\.jpg/);
      // One matching asset's faces deleted: unsearchable at once, and gone from the tenant's count.
      const deleted = /asset (\S+): (\d+) face\(s\) deleted, 0 of (\d+) still searchable/.exec(out);
      expect(deleted).not.toBeNull();
      const erased = Number(deleted![2]);
      expect(erased).toBeGreaterThanOrEqual(1);
      expect(Number(deleted![3])).toBe(erased);
      expect(out).toMatch(/again: \d+ matches, \S+ no longer among them/);
      const receipt = JSON.parse(out.slice(out.indexOf('{', out.indexOf('receipt:')))) as Record<string, unknown>;
      expect(receipt).toMatchObject({ scope: { type: 'tenant' }, status: 'completed', counts: { faces: 5 - erased }, verified: { searchable: 0 } });
    } finally {
      await stack.close();
      rmSync(photos, { recursive: true, force: true });
    }
  }, 120_000);
});
