import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FacesearchClient, type FacesearchClientOptions } from './facesearch.client';
import {
  FacesearchError,
  FacesearchImageTooLargeError,
  FacesearchNotFoundError,
  FacesearchTooLargeError,
  FacesearchUnprocessableError,
  FacesearchUnsupportedMediaError,
  FacesearchValidationError,
  FacesearchWaitTimeoutError,
} from './facesearch.error';
import type { IndexJob } from './types';

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7]);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON bodies parsed; multipart bodies as the FormData that fetch would serialise. */
  json?: unknown;
  form?: FormData;
}

type Answer = { status?: number; body?: unknown; type?: string; headers?: Record<string, string> };

function fakeApi(answer: (sent: Sent, n: number) => Answer = () => ({ body: {} }), extra: Partial<FacesearchClientOptions> = {}) {
  const sent: Sent[] = [];
  const sleeps: number[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries(init.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const s: Sent = { method: String(init.method), url, headers };
    if (init.body instanceof FormData) s.form = init.body;
    else if (init.body !== undefined) s.json = JSON.parse(String(init.body));
    sent.push(s);
    const { status = 200, body, type = status >= 400 ? 'application/problem+json' : 'application/json', headers: h = {} } = answer(s, sent.length);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': type, ...h } });
  };
  const client = new FacesearchClient({
    baseUrl: 'https://faces.example.com',
    apiKey: 'fsk_abcdefabcdef_secret',
    fetch,
    random: () => 0,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { client, sent, sleeps };
}

const problem = (status: number, code: string, detail = 'D') => ({ status, body: { type: `urn:facesearch:problem:${code}`, title: 'T', status, detail, code, errorId: 'e-1' } });
const fileOf = async (form: FormData | undefined, name: string) => {
  const f = form?.get(name);
  if (!(f instanceof File)) throw new Error(`no file ${name}`);
  return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
};
const job = (over: Partial<IndexJob> = {}): IndexJob => ({
  jobId: 'j1',
  assetId: 'a1',
  status: 'queued',
  facesIndexed: 0,
  unindexedFaces: [],
  createdAt: '2025-01-01T00:00:00.000Z',
  completedAt: null,
  ...over,
});

describe('indexAsset', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sdk-index-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uploads a path as multipart `image`, optional fields as form fields, no JSON content type', async () => {
    const path = join(dir, 'img1.jpg');
    writeFileSync(path, JPEG);
    const { client, sent } = fakeApi(() => ({ status: 202, body: job() }));
    await expect(client.indexAsset('photo-1', { path }, { maxFaces: 4, qualityFilter: 'low', callbackUrl: 'https://dam.example.com/cb', metadata: { k: 'v' } })).resolves.toEqual(job());
    expect(sent).toHaveLength(1);
    const [s] = sent;
    expect(s.method).toBe('POST');
    expect(s.url).toBe('https://faces.example.com/v1/assets/photo-1/index');
    expect(s.headers['content-type']).toBeUndefined();
    expect(s.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await fileOf(s.form, 'image')).toEqual({ name: 'img1.jpg', bytes: JPEG });
    expect(Object.fromEntries([...s.form!.entries()].filter(([k]) => k !== 'image'))).toEqual({
      maxFaces: '4',
      qualityFilter: 'low',
      callbackUrl: 'https://dam.example.com/cb',
      metadata: '{"k":"v"}',
    });
  });

  it('uploads a buffer or a stream, with the filename given', async () => {
    const { client, sent } = fakeApi(() => ({ status: 202, body: job() }));
    await client.indexAsset('a1', { buffer: Buffer.from(PNG), filename: 'scan.png' });
    await client.indexAsset('a2', { stream: Readable.from([Buffer.from(JPEG)]) });
    expect(await fileOf(sent[0].form, 'image')).toEqual({ name: 'scan.png', bytes: PNG });
    expect(await fileOf(sent[1].form, 'image')).toEqual({ name: 'image', bytes: JPEG });
    expect([...sent[1].form!.keys()]).toEqual(['image']);
  });

  it('retries a 503 with the same form and the same Idempotency-Key (the Blob is re-sent whole)', async () => {
    const { client, sent, sleeps } = fakeApi((_s, n) => (n === 1 ? { ...problem(503, 'queue_unavailable'), headers: { 'retry-after': '2' } } : { status: 202, body: job() }));
    await client.indexAsset('a1', { buffer: JPEG }, {}, { idempotencyKey: 'index-a1-v1' });
    expect(sent).toHaveLength(2);
    expect(sent[1].form).toBe(sent[0].form);
    expect(sent.map((s) => s.headers['idempotency-key'])).toEqual(['index-a1-v1', 'index-a1-v1']);
    expect(await fileOf(sent[1].form, 'image')).toEqual({ name: 'image', bytes: JPEG });
    expect(sleeps).toEqual([2000]);
  });

  it('refuses an upload over 20 MB before sending anything; maxBytes / maxImageBytes raise the limit', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024 + 1);
    const { client, sent } = fakeApi(() => ({ status: 202, body: job() }));
    await expect(client.indexAsset('a1', { buffer: big })).rejects.toBeInstanceOf(FacesearchImageTooLargeError);
    expect(sent).toHaveLength(0);
    await client.indexAsset('a1', { buffer: big, maxBytes: 25 * 1024 * 1024 });
    const roomy = fakeApi(() => ({ status: 202, body: job() }), { maxImageBytes: 25 * 1024 * 1024 });
    await roomy.client.indexAsset('a1', { buffer: big });
    expect(roomy.sent).toHaveLength(1);
    const tight = fakeApi(() => ({ status: 202, body: job() }), { maxImageBytes: 4 });
    await expect(tight.client.indexAsset('a1', { buffer: JPEG })).rejects.toMatchObject({ maxBytes: 4, size: JPEG.length });
    expect(() => fakeApi(undefined, { maxImageBytes: 0 })).toThrow(/maxImageBytes/);
  });

  it('refuses ambiguous or empty image inputs with a TypeError, before any request', async () => {
    const { client, sent } = fakeApi();
    await expect(client.indexAsset('a1', {} as never)).rejects.toThrow(/exactly one of path, buffer, stream, url, s3/);
    await expect(client.indexAsset('a1', { url: 'https://x', buffer: JPEG } as never)).rejects.toThrow(/got buffer, url/);
    await expect(client.indexAsset('a1', { faceId: 'f' } as never)).rejects.toThrow(TypeError);
    expect(sent).toHaveLength(0);
  });

  it('an upload that never reached a size check on the server side still maps its 413', async () => {
    const { client } = fakeApi(() => problem(413, 'too_large', 'File too large'));
    const err = await client.indexAsset('a1', { buffer: JPEG }, {}, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchTooLargeError);
    expect(err).toMatchObject({ status: 413, kind: 'too_large', code: 'too_large' });
  });
});

describe('indexBatch', () => {
  it('sends an Idempotency-Key, and names the item whose source is wrong before sending anything', async () => {
    const { client, sent } = fakeApi(() => ({ status: 202, body: { jobs: [job()] } }));
    await expect(client.indexBatch([{ assetId: 'a1', source: { url: 'https://x/1.jpg' } }])).resolves.toEqual({ jobs: [job()] });
    expect(sent[0].headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    await expect(client.indexBatch([{ assetId: 'a1', source: { url: 'https://x/1.jpg' } }, { assetId: 'a2', source: { url: 'u', s3: { bucket: 'b', key: 'k' } } as never }])).rejects.toThrow(
      /^items\[1\]\.source must have exactly one of url, s3/,
    );
    await expect(client.indexBatch([{ assetId: 'a1' } as never])).rejects.toThrow(/^items\[0\]\.source must be an object/);
    expect(sent).toHaveLength(1);
  });
});

describe('searchFacesByImage', () => {
  it('uploads `image` with maxResults, threshold, maxQueryFaces as form fields', async () => {
    const answer = { queryFaces: [{ boundingBox: { left: 0.1, top: 0.1, width: 0.2, height: 0.3 }, confidence: 0.99, matches: [] }] };
    const { client, sent } = fakeApi(() => ({ body: answer }));
    await expect(client.searchFacesByImage({ buffer: JPEG, filename: 'q.jpg' }, { maxResults: 10, threshold: 0.35, maxQueryFaces: 3 })).resolves.toEqual(answer);
    expect(sent[0].url).toBe('https://faces.example.com/v1/search/faces-by-image');
    expect(await fileOf(sent[0].form, 'image')).toEqual({ name: 'q.jpg', bytes: JPEG });
    expect(Object.fromEntries([...sent[0].form!.entries()].filter(([k]) => k !== 'image'))).toEqual({ maxResults: '10', threshold: '0.35', maxQueryFaces: '3' });
    // Searching changes nothing: no Idempotency-Key needed to retry it.
    expect(sent[0].headers['idempotency-key']).toBeUndefined();
  });

  it.each<[string, { status: number; body: unknown }, new (...a: never[]) => FacesearchError, string]>([
    ['422 no_face', problem(422, 'no_face', 'No usable face was found in the image.'), FacesearchUnprocessableError, 'unprocessable'],
    ['422 corrupt_image', problem(422, 'corrupt_image'), FacesearchUnprocessableError, 'unprocessable'],
    ['422 too_many_pixels', problem(422, 'too_many_pixels'), FacesearchUnprocessableError, 'unprocessable'],
    ['413 too_large', problem(413, 'too_large'), FacesearchTooLargeError, 'too_large'],
    ['415 unsupported_format', problem(415, 'unsupported_format', 'this looks like an SVG'), FacesearchUnsupportedMediaError, 'unsupported'],
  ])('%s → typed error with the code, never retried', async (_name, answer, Ctor, kind) => {
    const { client, sent } = fakeApi(() => answer);
    const err = (await client.searchFacesByImage({ buffer: JPEG }).catch((e: unknown) => e)) as FacesearchError;
    expect(err).toBeInstanceOf(Ctor);
    const code = (answer.body as { code: string }).code;
    expect(err).toMatchObject({ status: answer.status, kind, code, errorId: 'e-1', method: 'POST', path: '/v1/search/faces-by-image' });
    expect(sent).toHaveLength(1);
  });

  it('a source goes as JSON', async () => {
    const { client, sent } = fakeApi(() => ({ body: { queryFaces: [] } }));
    await client.searchFacesByImage({ s3: { bucket: 'photos', key: 'q.jpg' } });
    expect(sent[0].json).toEqual({ source: { s3: { bucket: 'photos', key: 'q.jpg' } } });
    expect(sent[0].headers['content-type']).toBe('application/json');
  });
});

describe('searchFacesByFace', () => {
  it('404 face_not_found → FacesearchNotFoundError; a 503 is retried', async () => {
    const nf = fakeApi(() => problem(404, 'face_not_found'));
    const err = await nf.client.searchFacesByFace('f1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchNotFoundError);
    expect(err).toMatchObject({ code: 'face_not_found', path: '/v1/search/faces/f1' });
    expect(nf.sent).toHaveLength(1);
    const flaky = fakeApi((_s, n) => (n === 1 ? problem(503, 'vector_index_unavailable') : { body: { matches: [] } }));
    await expect(flaky.client.searchFacesByFace('f1', { threshold: 0.5 })).resolves.toEqual({ matches: [] });
    expect(flaky.sent.map((s) => s.json)).toEqual([{ threshold: 0.5 }, { threshold: 0.5 }]);
  });
});

describe('verify', () => {
  const result = { match: true, similarity: 0.81, threshold: 0.3 };

  it('two uploads: multipart files `a` and `b`, threshold as a form field', async () => {
    const { client, sent } = fakeApi(() => ({ body: result }));
    await expect(client.verify({ buffer: JPEG, filename: 'a.jpg' }, { stream: Readable.from([Buffer.from(PNG)]), filename: 'b.png' }, { threshold: 0.4 })).resolves.toEqual(result);
    const form = sent[0].form;
    expect(sent[0].url).toBe('https://faces.example.com/v1/verify');
    expect(await fileOf(form, 'a')).toEqual({ name: 'a.jpg', bytes: JPEG });
    expect(await fileOf(form, 'b')).toEqual({ name: 'b.png', bytes: PNG });
    expect(form!.get('threshold')).toBe('0.4');
    expect([...form!.keys()].sort()).toEqual(['a', 'b', 'threshold']);
  });

  it('an upload and a faceId: the upload as file, the other side as a JSON form field', async () => {
    const { client, sent } = fakeApi(() => ({ body: result }));
    await client.verify({ buffer: JPEG }, { faceId: '6f1c7a8e-0000-4000-8000-000000000001' });
    expect(await fileOf(sent[0].form, 'a')).toEqual({ name: 'image', bytes: JPEG });
    expect(JSON.parse(sent[0].form!.get('b') as string)).toEqual({ faceId: '6f1c7a8e-0000-4000-8000-000000000001' });
    expect(sent[0].form!.has('threshold')).toBe(false);

    await client.verify({ url: 'https://img.example.com/x.jpg' }, { path: __filename });
    expect(JSON.parse(sent[1].form!.get('a') as string)).toEqual({ source: { url: 'https://img.example.com/x.jpg' } });
    expect((await fileOf(sent[1].form, 'b')).name).toBe('facesearch.client.images.spec.ts');
  });

  it('no uploads: JSON {a, b}, each {source} or {faceId}', async () => {
    const { client, sent } = fakeApi(() => ({ body: result }));
    await client.verify({ faceId: 'f1' }, { faceId: 'f2' });
    await client.verify({ url: 'https://x/a.jpg' }, { personId: 'p1' }, { threshold: 0 });
    expect(sent.map((s) => s.json)).toEqual([
      { a: { faceId: 'f1' }, b: { faceId: 'f2' } },
      { a: { source: { url: 'https://x/a.jpg' } }, b: { personId: 'p1' }, threshold: 0 },
    ]);
  });

  it('refuses a side with two forms, naming the side', async () => {
    const { client, sent } = fakeApi();
    await expect(client.verify({ faceId: 'f1' }, { faceId: 'f2', url: 'https://x' } as never)).rejects.toThrow(/^b must have exactly one of/);
    expect(sent).toHaveLength(0);
  });

  it('422 no_face on either side is a FacesearchUnprocessableError; a 400 names the field', async () => {
    const { client } = fakeApi(() => problem(422, 'no_face'));
    await expect(client.verify({ buffer: JPEG }, { buffer: PNG })).rejects.toMatchObject({ kind: 'unprocessable', code: 'no_face' });
    const bad = fakeApi(() => ({ status: 400, body: { ...problem(400, 'validation_failed').body, errors: [{ field: 'b', messages: ['give exactly one of an image, source, faceId or personId'] }] } }));
    const err = await bad.client.verify({ faceId: 'f1' }, { faceId: 'f2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchValidationError);
    expect((err as FacesearchValidationError).fieldErrors).toEqual([{ field: 'b', messages: [expect.any(String)] }]);
  });
});

describe('waitForJob', () => {
  let clock: number;
  let nowSpy: jest.SpyInstance;
  beforeEach(() => {
    clock = 1_000_000;
    nowSpy = jest.spyOn(Date, 'now').mockImplementation(() => clock);
  });
  afterEach(() => nowSpy.mockRestore());
  /** A fake API whose sleeps advance the fake clock. */
  const polling = (answer: (n: number) => Answer) => {
    const api = fakeApi((_s, n) => answer(n), {
      sleep: async (ms) => {
        api.sleeps.push(ms);
        clock += ms;
      },
    });
    return api;
  };

  it('polls getJob every intervalMs until completed', async () => {
    const done = job({ status: 'completed', facesIndexed: 1, completedAt: '2025-01-01T00:00:02.000Z' });
    const { client, sent, sleeps } = polling((n) => ({ body: n < 3 ? job({ status: n === 1 ? 'queued' : 'active' }) : done }));
    await expect(client.waitForJob('j1', { intervalMs: 250, requestId: 'wait-1' })).resolves.toEqual(done);
    expect(sent.map((s) => `${s.method} ${new URL(s.url).pathname}`)).toEqual(Array(3).fill('GET /v1/jobs/j1'));
    expect(sent.every((s) => s.headers['x-request-id'] === 'wait-1')).toBe(true);
    expect(sleeps).toEqual([250, 250]);
  });

  it('resolves with a failed job too: its error says why', async () => {
    const failed = job({ status: 'failed', error: { code: 'unsupported_format', detail: 'this is text' } });
    const { client } = polling(() => ({ body: failed }));
    await expect(client.waitForJob('j1')).resolves.toMatchObject({ status: 'failed', error: { code: 'unsupported_format' } });
  });

  it('gives up after timeoutMs with the last job seen, never sleeping past the deadline', async () => {
    const { client, sleeps } = polling(() => ({ body: job({ status: 'active' }) }));
    const err = await client.waitForJob('j1', { timeoutMs: 2500, intervalMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchWaitTimeoutError);
    expect(err).toMatchObject({ id: 'j1', timeoutMs: 2500, last: { status: 'active' } });
    expect((err as Error).message).toMatch(/Job j1 did not finish within 2500 ms \(last status: active\)/);
    expect(sleeps).toEqual([1000, 1000, 500]);
  });

  it('stops when the signal aborts, with its reason', async () => {
    const ac = new AbortController();
    const { client, sent } = polling((n) => {
      if (n === 2) ac.abort(new Error('shutting down'));
      return { body: job({ status: 'active' }) };
    });
    await expect(client.waitForJob('j1', { signal: ac.signal })).rejects.toThrow('shutting down');
    expect(sent).toHaveLength(2);
  });

  it('a 404 (unknown job) ends the wait at once', async () => {
    const { client, sent } = polling(() => problem(404, 'job_not_found'));
    await expect(client.waitForJob('nope')).rejects.toBeInstanceOf(FacesearchNotFoundError);
    expect(sent).toHaveLength(1);
  });

  it('rejects nonsensical timings', async () => {
    const { client } = polling(() => ({ body: job() }));
    await expect(client.waitForJob('j1', { intervalMs: 0 })).rejects.toThrow(/intervalMs/);
    await expect(client.waitForJob('j1', { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
  });

  it('waitForDeletion polls the receipt until it is no longer pending', async () => {
    const receipt = (status: string) => ({ deletionId: 'd1', scope: { type: 'tenant', id: 't1' }, status, verified: { searchable: status === 'completed' ? 0 : null } });
    const { client, sent } = polling((n) => ({ body: receipt(n < 2 ? 'pending' : 'completed') }));
    await expect(client.waitForDeletion('d1', { intervalMs: 100 })).resolves.toMatchObject({ status: 'completed', verified: { searchable: 0 } });
    expect(sent.map((s) => new URL(s.url).pathname)).toEqual(['/v1/deletions/d1', '/v1/deletions/d1']);
  });
});

describe('iterateFaces, iterateDeletions and iterateAuditEvents', () => {
  it('follow nextCursor with the requested page size', async () => {
    const pages: Record<string, { items: { id: string }[]; nextCursor: string | null }> = {
      '': { items: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c1' },
      c1: { items: [{ id: 'c' }], nextCursor: null },
    };
    const { client, sent } = fakeApi((s) => ({ body: pages[new URL(s.url).searchParams.get('cursor') ?? ''] }));
    const faces: string[] = [];
    for await (const f of client.iterateFaces({ limit: 2 })) faces.push((f as unknown as { id: string }).id);
    const receipts = (await client.iterateDeletions({ limit: 2 }).toArray()).map((d) => (d as unknown as { id: string }).id);
    const events = (await client.iterateAuditEvents({ limit: 2, action: 'asset.indexed' }).toArray()).map((e) => (e as unknown as { id: string }).id);
    expect(faces).toEqual(['a', 'b', 'c']);
    expect(receipts).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['a', 'b', 'c']);
    expect(sent.map((s) => `${new URL(s.url).pathname}${new URL(s.url).search}`)).toEqual([
      '/v1/faces?limit=2',
      '/v1/faces?limit=2&cursor=c1',
      '/v1/deletions?limit=2',
      '/v1/deletions?limit=2&cursor=c1',
      // The filters stay on every page.
      '/v1/audit-events?action=asset.indexed&limit=2',
      '/v1/audit-events?action=asset.indexed&limit=2&cursor=c1',
    ]);
  });
});
