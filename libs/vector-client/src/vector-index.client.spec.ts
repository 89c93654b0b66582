import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ErrorKind, TenantId } from '@app/contracts';
import { decodeVector } from './vector-codec';
import { MAX_REMOVE_IDS, VectorIndexClient } from './vector-index.client';
import { isVectorIndexError, VectorIndexErrorCode } from './vector-index.error';

const unit = (dims: number, i = 0): Float32Array => {
  const v = new Float32Array(dims);
  v[i] = 2;
  return v;
};

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

describe('VectorIndexClient', () => {
  const tenant = TenantId.generate();

  it('sends normalised base64 vectors to the tenant replica and returns the hits', async () => {
    const f = fakeFetch(200, { hits: [{ faceId: 'f1', similarity: 0.9 }] });
    const client = new VectorIndexClient({ urls: ['http://127.0.0.1:1/', 'http://127.0.0.1:2'], dims: 4, fetch: f.fn });
    const hits = await client.search(tenant, unit(4, 1), 5, 0.4);
    expect(hits).toEqual([{ faceId: 'f1', similarity: 0.9 }]);
    expect(f.calls[0].url).toBe(`${client.replicaFor(tenant)}/v1/tenants/${tenant}/search`);
    const sent = JSON.parse(String(f.calls[0].init.body));
    expect(Array.from(decodeVector(sent.vector)!)).toEqual([0, 1, 0, 0]);
    expect(sent).toMatchObject({ k: 5, minSimilarity: 0.4 });
  });

  it('validates before sending', async () => {
    const f = fakeFetch(200, {});
    const client = new VectorIndexClient({ urls: ['http://127.0.0.1:1'], dims: 4, fetch: f.fn });
    await expect(client.search(tenant, unit(3), 5)).rejects.toMatchObject({ code: VectorIndexErrorCode.InvalidVector });
    await expect(client.search(tenant, unit(4), 0)).rejects.toMatchObject({ code: VectorIndexErrorCode.InvalidVector });
    await expect(client.search(tenant, unit(4), 5, 1.5)).rejects.toMatchObject({ code: VectorIndexErrorCode.InvalidVector });
    await expect(client.add(tenant, [{ faceId: 'bad id\n', vector: unit(4) }])).rejects.toMatchObject({ code: VectorIndexErrorCode.InvalidVector });
    await expect(client.remove(tenant, ['../x'])).rejects.toMatchObject({ code: VectorIndexErrorCode.InvalidVector });
    expect(await client.add(tenant, [])).toEqual({ added: 0, skipped: 0, deferred: 0 });
    expect(f.calls).toHaveLength(0);
  });

  it('remove sends purgeSnapshots only when asked, with the last of several requests, and sums the answers', async () => {
    const f = fakeFetch(200, { removed: 1, snapshotsDeleted: 2 });
    const client = new VectorIndexClient({ urls: ['http://127.0.0.1:1'], dims: 4, fetch: f.fn });
    expect(await client.remove(tenant, ['a', 'b'])).toEqual({ removed: 1, snapshotsDeleted: 2 });
    expect(JSON.parse(String(f.calls[0].init.body))).toEqual({ faceIds: ['a', 'b'] });
    expect(f.calls[0].url).toBe(`http://127.0.0.1:1/v1/tenants/${tenant}/faces/remove`);

    f.calls.length = 0;
    const ids = Array.from({ length: MAX_REMOVE_IDS + 5 }, (_, i) => `f${i}`);
    expect(await client.remove(tenant, ids, { purgeSnapshots: true })).toEqual({ removed: 2, snapshotsDeleted: 4 });
    const bodies = f.calls.map((c) => JSON.parse(String(c.init.body)) as { faceIds: string[]; purgeSnapshots?: boolean });
    expect(bodies.map((b) => [b.faceIds.length, b.purgeSnapshots])).toEqual([
      [MAX_REMOVE_IDS, undefined],
      [5, true],
    ]);
    expect(await client.remove(tenant, [], { purgeSnapshots: true })).toEqual({ removed: 0, snapshotsDeleted: 0 });
    expect(f.calls).toHaveLength(2);
  });

  it('maps 503 to Unavailable with its Retry-After, 400 to Rejected, 500 to Failure', async () => {
    const busy = new VectorIndexClient({ urls: ['http://127.0.0.1:1'], dims: 4, fetch: fakeFetch(503, { code: 'tenant_loading', detail: 'loading' }, { 'retry-after': '2' }).fn });
    const err = await busy.search(tenant, unit(4), 1).catch((e: unknown) => e);
    expect(isVectorIndexError(err, VectorIndexErrorCode.Unavailable)).toBe(true);
    expect((err as { kind: ErrorKind }).kind).toBe(ErrorKind.Unavailable);
    expect((err as { retryAfterSeconds: number }).retryAfterSeconds).toBe(2);

    const bad = new VectorIndexClient({ urls: ['http://127.0.0.1:1'], dims: 4, fetch: fakeFetch(400, { code: 'invalid_request', detail: 'k' }).fn });
    await expect(bad.search(tenant, unit(4), 1)).rejects.toMatchObject({ code: VectorIndexErrorCode.Rejected, kind: ErrorKind.Internal });
    const broken = new VectorIndexClient({ urls: ['http://127.0.0.1:1'], dims: 4, fetch: fakeFetch(500, 'oops').fn });
    await expect(broken.stats(tenant)).rejects.toMatchObject({ code: VectorIndexErrorCode.Failure });
  });

  describe('against real sockets on 127.0.0.1', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url?.endsWith('/stats')) {
          setTimeout(() => res.end('{}'), 2000).unref();
          return;
        }
        res.end('{}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });

    it('a replica that is down is Unavailable (503), after one retry', async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const p = (s.address() as AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const client = new VectorIndexClient({ urls: [`http://127.0.0.1:${closed}`], dims: 4 });
      const err = await client.search(tenant, unit(4), 1).catch((e: unknown) => e);
      expect(isVectorIndexError(err, VectorIndexErrorCode.Unavailable)).toBe(true);
      expect((err as { detail: string }).detail).toMatch(/unreachable/);
    });

    it('a replica that does not answer in time is Unavailable', async () => {
      const client = new VectorIndexClient({ urls: [`http://127.0.0.1:${port}`], dims: 4, searchTimeoutMs: 200 });
      const err = await client.stats(tenant).catch((e: unknown) => e);
      expect(isVectorIndexError(err, VectorIndexErrorCode.Unavailable)).toBe(true);
      expect((err as { detail: string }).detail).toMatch(/in time/);
    });
  });
});
