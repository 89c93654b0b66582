import { FacesearchClient, type FacesearchClientOptions } from './facesearch.client';
import { FacesearchNetworkError, FacesearchNotFoundError, FacesearchPermissionError, FacesearchUnavailableError } from './facesearch.error';
import type { DeletionReceipt } from './types';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}
type Responder = (sent: Sent, signal: AbortSignal) => Response | Promise<Response>;

/** A fetch that answers from a script, one responder per attempt, and records what was sent. */
function fakeApi(script: Responder[], extra: Partial<FacesearchClientOptions> = {}) {
  const sent: Sent[] = [];
  const sleeps: number[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries(init.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const s = { method: String(init.method), url, headers, body: init.body };
    sent.push(s);
    const next = script[sent.length - 1];
    if (!next) throw new Error(`unexpected attempt ${sent.length}`);
    return next(s, init.signal as AbortSignal);
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

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const problem = (status: number, code: string, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify({ type: `urn:facesearch:problem:${code}`, title: 'T', status, detail: 'D', code, errorId: 'e-1' }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const networkDown = () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
};
const hang: Responder = (_s, signal) =>
  new Promise<Response>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

const receipt = (over: Partial<DeletionReceipt> = {}): DeletionReceipt => ({
  deletionId: '6f1c2a9e-0000-4000-8000-000000000001',
  scope: { type: 'face', id: '0b8e8e2c-0000-4000-8000-00000000000f' },
  status: 'completed',
  requestedAt: '2025-06-01T10:00:00.000Z',
  completedAt: '2025-06-01T10:00:00.040Z',
  requestedBy: { type: 'apiKey', keyId: 'k1', role: 'integrator' },
  counts: { faces: 1, embeddings: 1, indexEntries: 1, snapshotsRewritten: 1, jobsCancelled: 0, transientUploads: 0 },
  verified: { searchable: 0, checked: 1 },
  ...over,
});

type DeleteCall = [string, (c: FacesearchClient) => Promise<unknown>, string];
const SYNCHRONOUS: DeleteCall[] = [
  ['deleteFace', (c) => c.deleteFace('f1'), '/v1/faces/f1'],
  ['deleteAssetFaces', (c) => c.deleteAssetFaces('a1'), '/v1/assets/a1/faces'],
  ['deletePerson', (c) => c.deletePerson('p1', { withFaces: true }), '/v1/persons/p1'],
];

describe('FacesearchClient: face data deletion', () => {
  it('deleteFace resolves with the completed receipt as the server sent it', async () => {
    const r = receipt();
    const { client, sent } = fakeApi([json(200, r)]);
    const got = await client.deleteFace('0B8E8E2C-0000-4000-8000-00000000000F');
    expect(got).toEqual(r);
    expect(got.verified).toEqual({ searchable: 0, checked: 1 });
    expect(got.counts.transientUploads).toBe(0);
    expect(got.counts.facesUnassigned).toBeUndefined();
    // Ids go as given (the server compares UUIDs case-insensitively).
    expect(new URL(sent[0].url).pathname).toBe('/v1/faces/0B8E8E2C-0000-4000-8000-00000000000F');
  });

  it('deletePerson without withFaces sends no query, and its receipt counts the faces left unassigned', async () => {
    const r = receipt({ scope: { type: 'person', id: 'p1' }, counts: { faces: 0, embeddings: 0, indexEntries: 0, snapshotsRewritten: 0, jobsCancelled: 0, facesUnassigned: 3 }, verified: { searchable: 0, checked: 0 } });
    const { client, sent } = fakeApi([json(200, r)]);
    await expect(client.deletePerson('p1')).resolves.toMatchObject({ counts: { faces: 0, facesUnassigned: 3 } });
    expect(sent[0].url).toBe('https://faces.example.com/v1/persons/p1');
  });

  it.each([...SYNCHRONOUS, ['deleteFaceData', (c) => c.deleteFaceData(), '/v1/face-data'] as DeleteCall])(
    '%s sends a bodiless DELETE with no Idempotency-Key (the server takes none on DELETE)',
    async (_name, call, path) => {
      const { client, sent } = fakeApi([json(200, receipt())]);
      await call(client);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ method: 'DELETE', body: undefined });
      expect(new URL(sent[0].url).pathname).toBe(path);
      expect(sent[0].headers['idempotency-key']).toBeUndefined();
      expect(sent[0].headers['content-type']).toBeUndefined();
    },
  );

  it.each(SYNCHRONOUS)('%s is retried on 429 and 503 (nothing was deleted) and after a network failure', async (_name, call) => {
    const { client, sent, sleeps } = fakeApi([problem(429, 'rate_limited', { 'retry-after': '1' }), problem(503, 'vector_index_unavailable', { 'retry-after': '2' }), networkDown, json(200, receipt())]);
    await expect(call(client)).resolves.toMatchObject({ status: 'completed' });
    expect(sent).toHaveLength(4);
    expect(sleeps.slice(0, 2)).toEqual([1000, 2000]);
  });

  it('a retry that finds the face already gone (the lost first answer deleted it) is a 404 with attempts > 1', async () => {
    const { client, sent } = fakeApi([networkDown, problem(404, 'face_not_found')]);
    const err = await client.deleteFace('f1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchNotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'face_not_found', attempts: 2, method: 'DELETE', path: '/v1/faces/f1' });
    expect(sent).toHaveLength(2);
  });

  it('a 404 on the first attempt is a face that was not there: attempts 1, not retried', async () => {
    const { client, sent } = fakeApi([problem(404, 'face_not_found')]);
    await expect(client.deleteFace('f1')).rejects.toMatchObject({ status: 404, attempts: 1 });
    expect(sent).toHaveLength(1);
  });

  it('a 403 (an integrator deleting a person) is thrown at once', async () => {
    const { client, sent } = fakeApi([problem(403, 'forbidden')]);
    await expect(client.deletePerson('p1', { withFaces: true })).rejects.toBeInstanceOf(FacesearchPermissionError);
    expect(sent).toHaveLength(1);
  });

  it('gives up on 503 after maxRetries: the error says nothing was deleted, and how often it was tried', async () => {
    const { client, sent } = fakeApi([problem(503, 'vector_index_unavailable'), problem(503, 'vector_index_unavailable')], { maxRetries: 1 });
    const err = await client.deleteAssetFaces('a1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchUnavailableError);
    expect(err).toMatchObject({ attempts: 2 });
    expect(sent).toHaveLength(2);
  });
});

describe('FacesearchClient: deleteFaceData (202, a purge in the background)', () => {
  const accepted = { deletionId: '6f1c2a9e-0000-4000-8000-0000000000fd' };

  it('resolves with the deletion id', async () => {
    const { client } = fakeApi([json(202, accepted)]);
    await expect(client.deleteFaceData()).resolves.toEqual(accepted);
  });

  it.each([
    [429, 'rate_limited'],
    [503, 'queue_unavailable'],
  ])('is retried after %i: the server started nothing', async (status, code) => {
    const { client, sent } = fakeApi([problem(status, code, { 'retry-after': '1' }), json(202, accepted)]);
    await expect(client.deleteFaceData()).resolves.toEqual(accepted);
    expect(sent).toHaveLength(2);
  });

  it('is not retried after a network failure: the first attempt may have started a purge', async () => {
    const { client, sent } = fakeApi([networkDown, json(202, accepted)]);
    const err = await client.deleteFaceData().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchNetworkError);
    expect(err).toMatchObject({ reason: 'network', method: 'DELETE', path: '/v1/face-data' });
    expect(sent).toHaveLength(1);
  });

  it('is not retried after a timeout either', async () => {
    const { client, sent } = fakeApi([hang, json(202, accepted)], { timeoutMs: 20 });
    await expect(client.deleteFaceData()).rejects.toMatchObject({ reason: 'timeout' });
    expect(sent).toHaveLength(1);
  });

  it('waitForDeletion follows the receipt until the purge has completed', async () => {
    const pending = receipt({ deletionId: accepted.deletionId, scope: { type: 'faceData', id: null }, status: 'pending', completedAt: null, verified: { searchable: null, checked: 32 } });
    const done = { ...pending, status: 'completed' as const, completedAt: '2025-06-01T10:00:12.000Z', verified: { searchable: 0, checked: 48 } };
    const { client, sent, sleeps } = fakeApi([json(202, accepted), json(200, pending), json(200, done)]);
    const { deletionId } = await client.deleteFaceData();
    await expect(client.waitForDeletion(deletionId, { intervalMs: 200 })).resolves.toEqual(done);
    expect(sent.map((s) => `${s.method} ${new URL(s.url).pathname}`)).toEqual(['DELETE /v1/face-data', `GET /v1/deletions/${deletionId}`, `GET /v1/deletions/${deletionId}`]);
    expect(sleeps).toEqual([200]);
  });
});
