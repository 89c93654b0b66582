import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FACES_DIR, installTestModels } from '@app/testing';
import { bearer, createTenant, type GatewayHarness, type StackHarness, startStack } from './gateway-harness';

const DEEPFACE = resolve(FACES_DIR, 'deepface');
const labels = readFileSync(resolve(DEEPFACE, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',') as [string, string]);
const identityOf = new Map(labels);

describe('search: gateway + indexer + vector-index on real photos', () => {
  let stack: StackHarness;
  let gateway: GatewayHarness;
  let key: string;
  let otherKey: string;
  const faceOf = new Map<string, string>();

  beforeAll(async () => {
    stack = await startStack({ FACESEARCH_MODELS_DIR: installTestModels(), FACE_POOL_SIZE: '2' });
    gateway = stack.gateway;

    const t = await createTenant(gateway, 'Search Co');
    key = t.adminKey;
    otherKey = (await createTenant(gateway, 'Other Search Co')).adminKey;
    // Five identities (30 photos): enough to rank same-person photos above strangers.
    const chosen = labels.filter(([, id]) => ['id00', 'id01', 'id02', 'id09', 'id10'].includes(id));
    const jobs = await Promise.all(
      chosen.map(async ([file]) => {
        const res = await gateway.http().post(`/v1/assets/${file}/index`).set(bearer(key)).attach('image', readFileSync(resolve(DEEPFACE, file)), file).expect(202);
        return [file, res.body.jobId as string] as const;
      }),
    );
    for (const [file, jobId] of jobs) {
      for (let i = 0; i < 600; i++) {
        const j = await gateway.http().get(`/v1/jobs/${jobId}`).set(bearer(key)).expect(200);
        if (j.body.status === 'completed' || j.body.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const faces = await gateway.http().get(`/v1/assets/${file}/faces`).set(bearer(key)).expect(200);
      if (faces.body.faces.length > 0) faceOf.set(file, faces.body.faces[0].faceId);
    }
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('ranks the same identity\'s other photos above every other identity for ≥ 95% of queries', async () => {
    const files = [...faceOf.keys()];
    expect(files.length).toBeGreaterThanOrEqual(28);
    let good = 0;
    for (const file of files) {
      const res = await gateway.http().post('/v1/search/faces-by-image').set(bearer(key)).attach('image', readFileSync(resolve(DEEPFACE, file)), file).field('maxResults', '50').field('threshold', '0').expect(200);
      // Per asset, its best face: the question is which photos the person appears in.
      const best = new Map<string, number>();
      for (const m of res.body.queryFaces[0].matches as { assetId: string; similarity: number }[]) {
        if (m.assetId !== file) best.set(m.assetId, Math.max(best.get(m.assetId) ?? 0, m.similarity));
      }
      const matches = [...best].map(([assetId, similarity]) => ({ assetId, similarity }));
      const same = matches.filter((m) => identityOf.get(m.assetId) === identityOf.get(file));
      const others = matches.filter((m) => identityOf.get(m.assetId) !== identityOf.get(file));
      const lowestSame = Math.min(...same.map((m) => m.similarity));
      const highestOther = Math.max(0, ...others.map((m) => m.similarity));
      const expectedSame = files.filter((f) => f !== file && identityOf.get(f) === identityOf.get(file)).length;
      if (same.length === expectedSame && lowestSame > highestOther) good++;
    }
    expect(good / files.length).toBeGreaterThanOrEqual(0.95);
  });

  it('returns nothing to another tenant searching the same photo', async () => {
    const res = await gateway.http().post('/v1/search/faces-by-image').set(bearer(otherKey)).attach('image', readFileSync(resolve(DEEPFACE, 'img1.jpg')), 'img1.jpg').field('threshold', '0');
    expect(res.status).toBe(200);
    expect(res.body.queryFaces[0].matches).toEqual([]);
  });

  it('searches by a stored face (excluding itself) and verifies pairs', async () => {
    const faceId = faceOf.get('img1.jpg')!;
    const res = await gateway.http().post(`/v1/search/faces/${faceId}`).set(bearer(key)).send({ maxResults: 5 }).expect(200);
    expect(res.body.matches.length).toBeGreaterThan(0);
    expect(res.body.matches.map((m: { faceId: string }) => m.faceId)).not.toContain(faceId);
    for (const m of res.body.matches) expect(identityOf.get(m.assetId)).toBe('id00');

    const same = await gateway.http().post('/v1/verify').set(bearer(key)).send({ a: { faceId }, b: { faceId: faceOf.get('img2.jpg') } }).expect(200);
    expect(same.body).toMatchObject({ match: true, threshold: expect.any(Number) });
    const diff = await gateway.http().post('/v1/verify').set(bearer(key)).send({ a: { faceId }, b: { faceId: faceOf.get([...faceOf.keys()].find((f) => identityOf.get(f) === 'id01')!) } }).expect(200);
    expect(diff.body.match).toBe(false);
    const byImages = await gateway.http().post('/v1/verify').set(bearer(key)).attach('a', readFileSync(resolve(DEEPFACE, 'img1.jpg')), 'a.jpg').attach('b', readFileSync(resolve(DEEPFACE, 'img2.jpg')), 'b.jpg').expect(200);
    expect(byImages.body.match).toBe(true);
    // Another tenant cannot use this tenant's face ids.
    await gateway.http().post(`/v1/search/faces/${faceId}`).set(bearer(otherKey)).send({}).expect(404);
  });

  it('answers 422 no_face for an image without a face, and 503 while the vector index is down', async () => {
    const sharp = (await import('sharp')).default;
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 120, b: 120 } } }).jpeg().toBuffer();
    const res = await gateway.http().post('/v1/search/faces-by-image').set(bearer(key)).attach('image', blank, 'blank.jpg');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('no_face');

    await stack.vectors!.close();
    const down = await gateway.http().post('/v1/search/faces-by-image').set(bearer(key)).attach('image', readFileSync(resolve(DEEPFACE, 'img1.jpg')), 'img1.jpg');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
  });
});
