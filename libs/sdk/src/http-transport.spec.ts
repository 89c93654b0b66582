import { FacesearchClient, type FacesearchClientOptions } from './facesearch.client';
import { HttpTransport } from './http-transport';
import { FacesearchError, FacesearchNetworkError, FacesearchRateLimitError, FacesearchUnavailableError, FacesearchValidationError } from './facesearch.error';

const API_KEY = 'fsk_abcdefabcdef_SECRETsecretSECRETsecretSECRETsecretSECRET1';

interface Call {
  url: string;
  init: RequestInit;
  headers: Record<string, string>;
}
type Responder = (call: Call) => Response | Promise<Response>;

/** A fetch that answers from a script, one responder per attempt, and records what was sent. */
function fakeFetch(...script: Responder[]) {
  const calls: Call[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const call = { url, init, headers: Object.fromEntries(Object.entries(init.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])) };
    calls.push(call);
    const next = script[calls.length - 1];
    if (!next) throw new Error(`unexpected attempt ${calls.length}`);
    return next(call);
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const problem = (status: number, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'T', status, detail: 'D', errorId: 'e-1', ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const networkDown = () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
};

function client(fetch: FacesearchClientOptions['fetch'], extra: Partial<FacesearchClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = new FacesearchClient({
    baseUrl: 'https://faces.example.com/',
    apiKey: API_KEY,
    fetch,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { c, sleeps };
}

const settings = { retentionDays: 90, matchThreshold: 0.5, minFaceSize: 40, maxFacesPerImage: 100, qualityFilter: 'low', webhookSecretSet: false };

describe('HTTP transport: retries', () => {
  it('retries a GET on 429 after the Retry-After seconds, then succeeds', async () => {
    const f = fakeFetch(problem(429, { code: 'rate_limited' }, { 'retry-after': '2' }), problem(503, {}, { 'retry-after': '1' }), json(200, settings));
    const { c, sleeps } = client(f.fetch);
    await expect(c.getSettings()).resolves.toEqual(settings);
    expect(f.calls).toHaveLength(3);
    // The hint plus 10% × random() of jitter.
    expect(sleeps).toEqual([2100, 1050]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 4000).toUTCString();
    const f = fakeFetch(problem(503, {}, { 'retry-after': at }), json(200, settings));
    const { c, sleeps } = client(f.fetch, { random: () => 0 });
    await c.getSettings();
    expect(sleeps[0]).toBeGreaterThan(2000);
    expect(sleeps[0]).toBeLessThanOrEqual(4000);
  });

  it('backs off exponentially with jitter when there is no Retry-After', async () => {
    const f = fakeFetch(problem(503), problem(503), problem(503), json(200, settings));
    const { c, sleeps } = client(f.fetch, { random: () => 1 });
    await c.getSettings();
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('gives up after maxRetries with the last error, carrying retryAfterSeconds', async () => {
    const f = fakeFetch(...Array.from({ length: 3 }, () => problem(429, { code: 'rate_limited' }, { 'retry-after': '3' })));
    const { c, sleeps } = client(f.fetch, { maxRetries: 2 });
    const err = await c.getSettings().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchRateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 3 });
    expect(f.calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('does not wait when the server asks for more than a minute: the caller decides', async () => {
    const f = fakeFetch(problem(429, {}, { 'retry-after': '120' }));
    const { c, sleeps } = client(f.fetch);
    await expect(c.getSettings()).rejects.toMatchObject({ status: 429, retryAfterSeconds: 120 });
    expect(sleeps).toEqual([]);
  });

  it.each([400, 401, 403, 404, 409, 413, 415, 422, 500])('never retries %i', async (status) => {
    const f = fakeFetch(problem(status));
    const { c } = client(f.fetch);
    await expect(c.getSettings()).rejects.toMatchObject({ status });
    expect(f.calls).toHaveLength(1);
  });

  it('maxRetries: 0 (client or per call) means one attempt', async () => {
    const a = fakeFetch(problem(503));
    await expect(client(a.fetch, { maxRetries: 0 }).c.getSettings()).rejects.toBeInstanceOf(FacesearchUnavailableError);
    expect(a.calls).toHaveLength(1);
    const b = fakeFetch(problem(503));
    await expect(client(b.fetch).c.getSettings({ maxRetries: 0 })).rejects.toBeInstanceOf(FacesearchUnavailableError);
    expect(b.calls).toHaveLength(1);
  });

  it('retries network failures of safe requests, then reports a FacesearchNetworkError', async () => {
    const ok = fakeFetch(networkDown, json(200, settings));
    await expect(client(ok.fetch).c.getSettings()).resolves.toEqual(settings);
    const down = fakeFetch(networkDown, networkDown);
    const err = await client(down.fetch, { maxRetries: 1 })
      .c.getSettings()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchNetworkError);
    expect(err).toMatchObject({ reason: 'network', method: 'GET', path: '/v1/settings' });
    expect((err as Error).message).toContain('ECONNREFUSED');
  });
});

describe('HTTP transport: idempotency', () => {
  it('sends one generated Idempotency-Key on every attempt of a create, so retrying it is safe', async () => {
    const f = fakeFetch(problem(503), networkDown, json(201, { id: 'k', key: 'fsk_x', role: 'integrator', name: 'n' }));
    const { c } = client(f.fetch);
    await c.createApiKey({ name: 'n', role: 'integrator' });
    expect(f.calls).toHaveLength(3);
    const keys = f.calls.map((call) => call.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('uses the caller\'s Idempotency-Key, and a new one per call otherwise', async () => {
    const f = fakeFetch(json(201, {}), json(201, {}), json(201, {}));
    const { c } = client(f.fetch);
    await c.createTenant({ name: 'A' }, { idempotencyKey: 'order-42' });
    await c.createTenant({ name: 'A' });
    await c.createTenant({ name: 'A' });
    expect(f.calls[0].headers['idempotency-key']).toBe('order-42');
    expect(f.calls[1].headers['idempotency-key']).not.toBe(f.calls[2].headers['idempotency-key']);
  });

  it('without retries, sends no key of its own and makes one attempt', async () => {
    const f = fakeFetch(problem(503));
    const { c } = client(f.fetch, { maxRetries: 0 });
    await expect(c.createTenant({ name: 'A' })).rejects.toBeInstanceOf(FacesearchUnavailableError);
    expect(f.calls[0].headers['idempotency-key']).toBeUndefined();
  });

  it('a retry that finds its first attempt still running (409 idempotency_conflict) waits and asks again', async () => {
    const hangThenFail = () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    };
    const created = { tenantId: 't1', adminApiKey: 'fsk_a_b' };
    const f = fakeFetch(hangThenFail, problem(409, { code: 'idempotency_conflict' }), json(201, created, { 'idempotent-replayed': 'true' }));
    const { c, sleeps } = client(f.fetch);
    await expect(c.createTenant({ name: 'A' })).resolves.toEqual(created);
    expect(f.calls).toHaveLength(3);
    expect(new Set(f.calls.map((call) => call.headers['idempotency-key'])).size).toBe(1);
    expect(sleeps).toHaveLength(2);
  });

  it('the same 409 on a first attempt is the caller\'s key reused for another request: thrown at once', async () => {
    const f = fakeFetch(problem(409, { code: 'idempotency_conflict' }));
    const { c } = client(f.fetch);
    await expect(c.createTenant({ name: 'A' }, { idempotencyKey: 'order-42' })).rejects.toMatchObject({ status: 409, kind: 'conflict', code: 'idempotency_conflict' });
    expect(f.calls).toHaveLength(1);
  });

  it('rejects an Idempotency-Key or request id that is not a valid header value before sending', async () => {
    const f = fakeFetch();
    const { c } = client(f.fetch);
    await expect(c.createTenant({ name: 'A' }, { idempotencyKey: 'a\nbcdefghi' })).rejects.toThrow(TypeError);
    // The server's rule: 8..255 characters of A-Za-z0-9._:-
    await expect(c.createTenant({ name: 'A' }, { idempotencyKey: 'short' })).rejects.toThrow(/8\.\.255 characters/);
    await expect(c.createTenant({ name: 'A' }, { idempotencyKey: 'has spaces in it' })).rejects.toThrow(TypeError);
    await expect(c.getSettings({ requestId: 'has space' })).rejects.toThrow(TypeError);
    expect(f.calls).toHaveLength(0);
  });
});

describe('HTTP transport: timeouts and cancellation', () => {
  /** Like fetch: never answers, but rejects with the signal's reason when aborted. */
  const hang = (call: Call) =>
    new Promise<Response>((_, reject) => {
      const signal = call.init.signal as AbortSignal;
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });

  it('times an attempt out, retries it if safe, and reports timeout', async () => {
    const f = fakeFetch(hang, hang);
    const err = await client(f.fetch, { timeoutMs: 20, maxRetries: 1 })
      .c.getSettings()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchNetworkError);
    expect(err).toMatchObject({ reason: 'timeout' });
    expect(f.calls).toHaveLength(2);
  });

  it('a per-call timeoutMs overrides the client\'s', async () => {
    const f = fakeFetch(hang);
    const started = Date.now();
    await expect(client(f.fetch, { timeoutMs: 60_000 }).c.getSettings({ timeoutMs: 20, maxRetries: 0 })).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an aborted signal cancels the request with the caller\'s reason, and is not retried', async () => {
    const f = fakeFetch(hang);
    const ac = new AbortController();
    const pending = client(f.fetch).c.getSettings({ signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    ac.abort(new Error('user cancelled'));
    await expect(pending).rejects.toThrow('user cancelled');
    expect(f.calls).toHaveLength(1);
  });

  it('an abort during the wait between retries stops the retries', async () => {
    const ac = new AbortController();
    const f = fakeFetch(problem(503, {}, { 'retry-after': '1' }));
    const { c } = client(f.fetch, {
      sleep: async () => {
        ac.abort(new Error('stop'));
        throw ac.signal.reason;
      },
    });
    await expect(c.getSettings({ signal: ac.signal })).rejects.toThrow('stop');
    expect(f.calls).toHaveLength(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const f = fakeFetch();
    await expect(client(f.fetch).c.getSettings({ signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
    expect(f.calls).toHaveLength(0);
  });
});

describe('HTTP transport: answers and errors', () => {
  it('maps problem+json to a typed error with field errors and the request id', async () => {
    const f = fakeFetch(problem(400, { code: 'validation_failed', errors: [{ field: 'role', messages: ['role must be one of …'] }] }, { 'x-request-id': 'rid-7' }));
    const err = await client(f.fetch)
      .c.createApiKey({ name: 'x', role: 'nope' as never })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchValidationError);
    expect(err).toMatchObject({ code: 'validation_failed', errorId: 'e-1', requestId: 'rid-7', fieldErrors: [{ field: 'role', messages: ['role must be one of …'] }] });
  });

  it('gives a readable error for a non-JSON answer (a proxy\'s 502)', async () => {
    const f = fakeFetch(() => new Response('upstream connect error', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/plain' } }));
    const err = await client(f.fetch)
      .c.getSettings()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FacesearchError);
    expect(err).toMatchObject({ status: 502, kind: 'internal', title: 'Bad Gateway', detail: 'upstream connect error' });
  });

  it('reports a 2xx that is not JSON as an invalid response', async () => {
    const f = fakeFetch(() => new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    await expect(client(f.fetch).c.getSettings()).rejects.toMatchObject({ name: 'FacesearchNetworkError', reason: 'invalid_response' });
  });

  it('surfaces a redirect as an error instead of following it with the key', async () => {
    const f = fakeFetch(() => new Response(null, { status: 301, headers: { location: 'https://elsewhere.example/' } }));
    await expect(client(f.fetch).c.getSettings()).rejects.toMatchObject({ status: 301, kind: 'http' });
    expect(f.calls[0].init.redirect).toBe('manual');
  });

  it('never lets the API key into an error, even when something echoes it', async () => {
    const f = fakeFetch(problem(401, { title: `Bad ${API_KEY}`, detail: `key ${API_KEY} unknown` }), networkDown);
    const { c } = client(f.fetch, { maxRetries: 0 });
    const a = await c.getSettings().catch((e: unknown) => e);
    const b = await c.getSettings().catch((e: unknown) => e);
    for (const err of [a, b]) {
      const everything = JSON.stringify(err) + String((err as Error).message) + String((err as Error).stack) + JSON.stringify(Object.entries(err as object));
      expect(everything).not.toContain(API_KEY);
      expect(everything).not.toContain('SECRETsecret');
    }
    expect((a as FacesearchError).detail).toBe('key [redacted] unknown');
  });

  it('does not show the API key when the client itself is inspected or serialised', async () => {
    const { c } = client(fakeFetch().fetch);
    const { inspect } = await import('node:util');
    expect(inspect(c, { depth: 10, showHidden: true })).not.toContain('SECRETsecret');
    expect(JSON.stringify(c)).not.toContain('SECRETsecret');
  });
});

describe('HTTP transport: bodies', () => {
  it('sends FormData as is (fetch sets the multipart boundary), the same object on every attempt', async () => {
    const f = fakeFetch(problem(503), json(202, { jobId: 'j' }));
    const transport = new HttpTransport({
      baseUrl: 'https://faces.example.com',
      apiKey: API_KEY,
      fetch: f.fetch,
      maxRetries: 1,
      timeoutMs: 1000,
      userAgent: 'ua',
      sleep: async () => {},
      random: () => 0,
      now: Date.now,
    });
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }), 'a.jpg');
    form.set('maxFaces', '3');
    await expect(transport.request({ method: 'POST', path: '/v1/assets/a1/index', body: form, retry: 'keyed' })).resolves.toEqual({ jobId: 'j' });
    expect(f.calls).toHaveLength(2);
    for (const call of f.calls) {
      expect(call.init.body).toBe(form);
      expect(call.headers['content-type']).toBeUndefined();
    }
    // Serialised by a real Request, the boundary and the parts are there.
    const req = new Request('https://x/', { method: 'POST', body: form });
    expect(req.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
  });
});
