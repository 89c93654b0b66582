import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FacesearchClient } from './facesearch.client';
import { FacesearchUnavailableError } from './facesearch.error';
import { SDK_VERSION } from './version';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Answers every request with the given body, recording what was sent. */
function recordingClient(answer: (call: Call) => { status?: number; body?: unknown; type?: string } = () => ({ body: {} }), baseUrl = 'https://faces.example.com/api/') {
  const calls: Call[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries(init.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const call = { method: String(init.method), url, headers, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) };
    calls.push(call);
    const { status = 200, body, type = 'application/json' } = answer(call);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': type } });
  };
  const client = new FacesearchClient({ baseUrl, apiKey: 'fsk_abcdefabcdef_secret', fetch, userAgent: 'my-dam/2.3', sleep: async () => {} });
  return { client, calls };
}

describe('FacesearchClient: one method per route', () => {
  it.each<[string, (c: FacesearchClient) => Promise<unknown>, string, string, unknown]>([
    ['createTenant', (c) => c.createTenant({ name: 'Acme', retentionDays: 30 }), 'POST', '/v1/tenants', { name: 'Acme', retentionDays: 30 }],
    ['listTenants', (c) => c.listTenants({ limit: 10, cursor: 'abc' }), 'GET', '/v1/tenants?limit=10&cursor=abc', undefined],
    ['listTenants (defaults)', (c) => c.listTenants(), 'GET', '/v1/tenants', undefined],
    ['getTenant', (c) => c.getTenant('t/../1'), 'GET', '/v1/tenants/t%2F..%2F1', undefined],
    ['createApiKey', (c) => c.createApiKey({ name: 'dam', role: 'integrator' }), 'POST', '/v1/api-keys', { name: 'dam', role: 'integrator' }],
    ['listApiKeys', (c) => c.listApiKeys(), 'GET', '/v1/api-keys', undefined],
    ['listApiKeys (revoked)', (c) => c.listApiKeys({ includeRevoked: true }), 'GET', '/v1/api-keys?includeRevoked=true', undefined],
    ['revokeApiKey', (c) => c.revokeApiKey('k1'), 'DELETE', '/v1/api-keys/k1', undefined],
    ['getSettings', (c) => c.getSettings(), 'GET', '/v1/settings', undefined],
    ['updateSettings', (c) => c.updateSettings({ matchThreshold: 0.6, webhookSecret: null }), 'PATCH', '/v1/settings', { matchThreshold: 0.6, webhookSecret: null }],
    ['rotateDataKey', (c) => c.rotateDataKey(), 'POST', '/v1/settings/rotate-data-key', undefined],
    ['pingWorker', (c) => c.pingWorker(), 'POST', '/v1/diagnostics/ping', undefined],
    ['deleteTenant', (c) => c.deleteTenant('t1'), 'DELETE', '/v1/tenants/t1', undefined],
    ['indexAsset (url)', (c) => c.indexAsset('photo:1', { url: 'https://img.example.com/a.jpg' }, { maxFaces: 5, metadata: { album: 'x' } }), 'POST', '/v1/assets/photo%3A1/index', { source: { url: 'https://img.example.com/a.jpg' }, maxFaces: 5, metadata: { album: 'x' } }],
    ['indexAsset (s3)', (c) => c.indexAsset('a1', { s3: { bucket: 'photos', key: 'k/1.jpg' } }), 'POST', '/v1/assets/a1/index', { source: { s3: { bucket: 'photos', key: 'k/1.jpg' } } }],
    ['indexBatch', (c) => c.indexBatch([{ assetId: 'a1', source: { url: 'https://x/1.jpg' }, maxFaces: 2 }, { assetId: 'a2', source: { s3: { bucket: 'b', key: 'k' } }, metadata: { m: '1' } }]), 'POST', '/v1/index-jobs', {
      items: [{ assetId: 'a1', source: { url: 'https://x/1.jpg' }, maxFaces: 2 }, { assetId: 'a2', source: { s3: { bucket: 'b', key: 'k' } }, metadata: { m: '1' } }],
    }],
    ['getJob', (c) => c.getJob('j1'), 'GET', '/v1/jobs/j1', undefined],
    ['getAssetFaces', (c) => c.getAssetFaces('a/1'), 'GET', '/v1/assets/a%2F1/faces', undefined],
    ['listFaces', (c) => c.listFaces({ limit: 5, cursor: 'c' }), 'GET', '/v1/faces?limit=5&cursor=c', undefined],
    ['searchFacesByImage (url)', (c) => c.searchFacesByImage({ url: 'https://x/q.jpg' }, { maxResults: 5, threshold: 0.4, maxQueryFaces: 2 }), 'POST', '/v1/search/faces-by-image', { source: { url: 'https://x/q.jpg' }, maxResults: 5, threshold: 0.4, maxQueryFaces: 2 }],
    ['searchFacesByFace', (c) => c.searchFacesByFace('f1', { maxResults: 3 }), 'POST', '/v1/search/faces/f1', { maxResults: 3 }],
    ['searchFacesByFace (defaults)', (c) => c.searchFacesByFace('f1'), 'POST', '/v1/search/faces/f1', {}],
    ['verify (JSON)', (c) => c.verify({ faceId: 'f1' }, { s3: { bucket: 'b', key: 'k', versionId: 'v' } }, { threshold: 0.5 }), 'POST', '/v1/verify', { a: { faceId: 'f1' }, b: { source: { s3: { bucket: 'b', key: 'k', versionId: 'v' } } }, threshold: 0.5 }],
    ['deleteFace', (c) => c.deleteFace('f/../1'), 'DELETE', '/v1/faces/f%2F..%2F1', undefined],
    ['deleteAssetFaces', (c) => c.deleteAssetFaces('photo:1'), 'DELETE', '/v1/assets/photo%3A1/faces', undefined],
    ['deletePerson', (c) => c.deletePerson('p1'), 'DELETE', '/v1/persons/p1', undefined],
    ['deletePerson (withFaces)', (c) => c.deletePerson('p1', { withFaces: true }), 'DELETE', '/v1/persons/p1?withFaces=true', undefined],
    ['deletePerson (withFaces: false)', (c) => c.deletePerson('p1', { withFaces: false }), 'DELETE', '/v1/persons/p1?withFaces=false', undefined],
    ['deleteFaceData', (c) => c.deleteFaceData(), 'DELETE', '/v1/face-data', undefined],
    ['getDeletion', (c) => c.getDeletion('d1'), 'GET', '/v1/deletions/d1', undefined],
    ['listDeletions', (c) => c.listDeletions({ limit: 2 }), 'GET', '/v1/deletions?limit=2', undefined],
    ['listAuditEvents', (c) => c.listAuditEvents({ from: '2025-01-01T00:00:00Z', action: 'api_key.created', actorKeyId: 'k1', limit: 50 }), 'GET', '/v1/audit-events?from=2025-01-01T00%3A00%3A00Z&action=api_key.created&actorKeyId=k1&limit=50', undefined],
    ['verifyAuditChain', (c) => c.verifyAuditChain({ to: '2025-02-01T00:00:00Z' }), 'GET', '/v1/audit-events/verify?to=2025-02-01T00%3A00%3A00Z', undefined],
  ])('%s', async (_name, call, method, path, body) => {
    const { client, calls } = recordingClient();
    await call(client);
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe(method);
    expect(calls[0].url).toBe(`https://faces.example.com/api${path}`);
    expect(calls[0].body).toEqual(body);
    expect(calls[0].headers.authorization).toBe('Bearer fsk_abcdefabcdef_secret');
    expect(calls[0].headers['content-type']).toBe(body === undefined ? undefined : 'application/json');
  });

  it('sends the standard headers, and X-Request-Id when given', async () => {
    const { client, calls } = recordingClient();
    await client.getSettings({ requestId: 'trace-1' });
    expect(calls[0].headers).toMatchObject({
      accept: 'application/json, application/problem+json',
      'user-agent': `my-dam/2.3 facesearch-sdk-js/${SDK_VERSION} node/${process.versions.node}`,
      'x-request-id': 'trace-1',
    });
  });

  it('returns the server\'s JSON as is', async () => {
    const created = { tenantId: 't1', adminApiKey: 'fsk_a_b' };
    const { client } = recordingClient(() => ({ status: 201, body: created }));
    await expect(client.createTenant({ name: 'Acme' })).resolves.toEqual(created);
  });
});

describe('FacesearchClient: iterateTenants', () => {
  it('follows nextCursor until it is null, with the requested page size', async () => {
    const pages: Record<string, { items: { tenantId: string }[]; nextCursor: string | null }> = {
      '': { items: [{ tenantId: 'a' }, { tenantId: 'b' }], nextCursor: 'c1' },
      c1: { items: [{ tenantId: 'c' }], nextCursor: null },
    };
    const { client, calls } = recordingClient((call) => ({ body: pages[new URL(call.url).searchParams.get('cursor') ?? ''] }));
    const ids: string[] = [];
    for await (const t of client.iterateTenants({ limit: 2 })) ids.push(t.tenantId);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(calls.map((c) => new URL(c.url).search)).toEqual(['?limit=2', '?limit=2&cursor=c1']);
  });
});

describe('FacesearchClient: health', () => {
  it('health() and ready() do not send the API key', async () => {
    const { client, calls } = recordingClient((call) => ({ body: call.url.endsWith('live') ? { status: 'ok' } : { status: 'ok', checks: { postgres: 'up' } } }));
    await expect(client.health()).resolves.toEqual({ status: 'ok' });
    await expect(client.ready()).resolves.toEqual({ status: 'ok', checks: { postgres: 'up' } });
    expect(calls.every((c) => c.headers.authorization === undefined)).toBe(true);
  });

  it('ready() resolves on 503 with the failing checks, without retrying', async () => {
    const body = { status: 'unavailable', checks: { postgres: 'up', redis: 'down' } };
    const { client, calls } = recordingClient(() => ({ status: 503, body }));
    await expect(client.ready()).resolves.toEqual(body);
    expect(calls).toHaveLength(1);
  });

  it('ready() still throws for a 503 problem (not a readiness answer)', async () => {
    const { client } = recordingClient(() => ({ status: 503, body: { title: 'Service Unavailable', status: 503 }, type: 'application/problem+json' }));
    await expect(client.ready()).rejects.toBeInstanceOf(FacesearchUnavailableError);
  });
});

describe('FacesearchClient: construction', () => {
  const fetch = async () => new Response('{}');

  it('rejects unusable options without echoing the key', () => {
    expect(() => new FacesearchClient({ baseUrl: 'faces.example.com', apiKey: 'k', fetch })).toThrow(/baseUrl/);
    expect(() => new FacesearchClient({ baseUrl: 'ftp://x', apiKey: 'k', fetch })).toThrow(/baseUrl/);
    expect(() => new FacesearchClient({ baseUrl: 'https://x/?a=1', apiKey: 'k', fetch })).toThrow(/baseUrl/);
    expect(() => new FacesearchClient({ baseUrl: 'https://x', apiKey: '', fetch })).toThrow(/apiKey/);
    expect(() => new FacesearchClient({ baseUrl: 'https://x', apiKey: undefined as unknown as string, fetch })).toThrow(/apiKey/);
    expect(() => new FacesearchClient({ baseUrl: 'https://x', apiKey: 'fsk_x_SECRET\r\n', fetch })).toThrow(/^(?!.*SECRET).*apiKey/);
    expect(() => new FacesearchClient({ baseUrl: 'https://x', apiKey: 'k', fetch, maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => new FacesearchClient({ baseUrl: 'https://x', apiKey: 'k', fetch, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new FacesearchClient({ baseUrl: 'https://x', apiKey: 'k', fetch, userAgent: 'a\nb' })).toThrow(/userAgent/);
  });

  it('defaults to the global fetch', async () => {
    const spy = jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(JSON.stringify({ status: 'ok' }), { headers: { 'content-type': 'application/json' } }));
    try {
      await expect(new FacesearchClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' }).health()).resolves.toEqual({ status: 'ok' });
      expect(spy).toHaveBeenCalledWith('http://127.0.0.1:1/health/live', expect.objectContaining({ method: 'GET' }));
    } finally {
      spy.mockRestore();
    }
  });

  it('SDK_VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
