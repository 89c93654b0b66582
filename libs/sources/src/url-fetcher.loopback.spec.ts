import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { captureLogs } from '@app/testing';
import { SourceErrorCode } from './source.error';
import { SourceFetcher, type SourceFetcherOptions } from './source-fetcher';
import { fakeResolver, loopbackOnly, sourceError } from './spec-helpers';
import { DEFAULT_USER_AGENT } from './url-fetcher';

// Real sockets, loopback only: a server on 127.0.0.1, allow-listed as on-premise sources would be.
// loopbackOnly() makes any connection elsewhere throw, whatever the code under test decides.
const MB = 1024 * 1024;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const seen: IncomingMessage[] = [];
let server: Server;
let origin: string;
let port: number;
let connections = 0;
let guard: ReturnType<typeof loopbackOnly>;

const fetcher = (options: Partial<SourceFetcherOptions> = {}) =>
  new SourceFetcher({
    maxBytes: 20 * MB,
    timeoutMs: 5000,
    allowHttp: true,
    privateAllowlist: ['127.0.0.0/8'],
    maxRedirects: 3,
    resolver: fakeResolver({ 'images.test': ['127.0.0.1'], 'internal.test': ['10.0.0.1'] }),
    logger: captureLogs().logger,
    ...options,
  });

/** Streams `total` bytes in 64 KiB chunks, honouring back-pressure; records how much the socket accepted. */
function streamBytes(res: ServerResponse, total: number, sent: { bytes: number; finished: boolean }) {
  const chunk = Buffer.alloc(64 * 1024, 0xab);
  const pump = () => {
    while (sent.bytes < total) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(() => (sent.finished = true));
  };
  res.on('error', () => undefined);
  pump();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const handler = routes.get(req.url ?? '') ?? ((_q, r: ServerResponse) => r.writeHead(404).end('no such test route'));
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  routes.clear();
  seen.length = 0;
  connections = 0;
  guard = loopbackOnly();
});

afterEach(() => {
  guard.restore();
});

describe('URL sources against a loopback server', () => {
  it('fetches an image with fixed headers and nothing of the caller', async () => {
    routes.set('/a.png?v=1', (_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'set-cookie': 'a=b' }).end(PNG));
    const body = await fetcher().fetch({ url: `${origin}/a.png?v=1` });
    expect(body.equals(PNG)).toBe(true);
    expect(seen).toHaveLength(1);
    const headers = seen[0].headers;
    expect(headers).toMatchObject({ host: `127.0.0.1:${port}`, 'user-agent': DEFAULT_USER_AGENT, accept: 'image/*' });
    expect(headers.cookie).toBeUndefined();
    expect(headers.authorization).toBeUndefined();
    expect(headers.referer).toBeUndefined();
  });

  it('connects a host name to its pinned address and sends that name as Host', async () => {
    routes.set('/b.png', (_req, res) => res.writeHead(200).end(PNG));
    await expect(fetcher().fetch({ url: `http://images.test:${port}/b.png` })).resolves.toEqual(PNG);
    expect(seen[0].headers.host).toBe(`images.test:${port}`);
    expect(guard.connects()).toBe(1);
  });

  it('refuses loopback when it is not allow-listed, and http unless allowed, before connecting', async () => {
    routes.set('/a.png', (_req, res) => res.writeHead(200).end(PNG));
    expect((await sourceError(fetcher({ privateAllowlist: [] }).fetch({ url: `${origin}/a.png` }))).code).toBe(SourceErrorCode.Forbidden);
    expect((await sourceError(fetcher({ allowHttp: false }).fetch({ url: `${origin}/a.png` }))).code).toBe(SourceErrorCode.Forbidden);
    expect(connections).toBe(0);
    expect(guard.connects()).toBe(0);
  });

  it('stops reading a 25 MB stream as soon as it passes the limit: too_large', async () => {
    const sent = { bytes: 0, finished: false };
    routes.set('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      streamBytes(res, 25 * MB, sent);
    });
    const err = await sourceError(fetcher({ maxBytes: 1 * MB }).fetch({ url: `${origin}/huge` }));
    expect(err.code).toBe(SourceErrorCode.TooLarge);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The connection was closed early: the server could hand over only the limit plus socket buffers.
    expect(sent.finished).toBe(false);
    expect(sent.bytes).toBeLessThan(15 * MB);
  });

  it('applies the default 20 MB limit to a chunked 25 MB stream and to a declared 25 MB length', async () => {
    routes.set('/chunked', (_req, res) => {
      res.writeHead(200);
      streamBytes(res, 25 * MB, { bytes: 0, finished: false });
    });
    routes.set('/declared', (_req, res) => {
      res.writeHead(200, { 'content-length': String(25 * MB) });
      res.on('error', () => undefined);
      res.write(Buffer.alloc(1024));
    });
    expect((await sourceError(fetcher().fetch({ url: `${origin}/chunked` }))).code).toBe(SourceErrorCode.TooLarge);
    expect((await sourceError(fetcher().fetch({ url: `${origin}/declared` }))).code).toBe(SourceErrorCode.TooLarge);
  });

  it('a server that answers too slowly runs into the time limit', async () => {
    routes.set('/silent', () => undefined);
    routes.set('/trickle', (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      const timer = setInterval(() => res.write('x'), 20);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    expect((await sourceError(fetcher({ timeoutMs: 300 }).fetch({ url: `${origin}/silent` }))).code).toBe(SourceErrorCode.Timeout);
    expect((await sourceError(fetcher({ timeoutMs: 300 }).fetch({ url: `${origin}/trickle` }))).code).toBe(SourceErrorCode.Timeout);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('maps 404 to source_not_found and 500 to source_unreachable', async () => {
    routes.set('/err', (_req, res) => res.writeHead(500).end('boom'));
    expect((await sourceError(fetcher().fetch({ url: `${origin}/missing.png` }))).code).toBe(SourceErrorCode.NotFound);
    expect((await sourceError(fetcher().fetch({ url: `${origin}/err` }))).code).toBe(SourceErrorCode.Unreachable);
  });

  it('a body cut short is source_unreachable, never a truncated image', async () => {
    routes.set('/cut', (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10), () => res.destroy());
    });
    expect((await sourceError(fetcher().fetch({ url: `${origin}/cut` }))).code).toBe(SourceErrorCode.Unreachable);
  });

  it('a closed port is source_unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await sourceError(fetcher().fetch({ url: `http://127.0.0.1:${closedPort}/a.png` }))).code).toBe(SourceErrorCode.Unreachable);
  });

  describe('redirects', () => {
    const redirect = (location: string, status = 302): Handler => (_req, res) => res.writeHead(status, { location }).end();

    it('follows a chain within maxRedirects', async () => {
      routes.set('/r1', redirect('/r2', 301));
      routes.set('/r2', redirect(`http://images.test:${port}/r3`, 307));
      routes.set('/r3', redirect('/final.png', 308));
      routes.set('/final.png', (_req, res) => res.writeHead(200).end(PNG));
      await expect(fetcher().fetch({ url: `${origin}/r1` })).resolves.toEqual(PNG);
      expect(seen.map((r) => r.url)).toEqual(['/r1', '/r2', '/r3', '/final.png']);
    });

    it('refuses a chain over the cap without following the extra hop', async () => {
      for (let i = 0; i < 5; i++) routes.set(`/loop${i}`, redirect(`/loop${i + 1}`));
      const err = await sourceError(fetcher({ maxRedirects: 2 }).fetch({ url: `${origin}/loop0` }));
      expect(err.code).toBe(SourceErrorCode.Forbidden);
      expect(seen.map((r) => r.url)).toEqual(['/loop0', '/loop1', '/loop2']);
    });

    it.each([
      ['a private literal', 'http://10.0.0.1/x'],
      ['a name resolving privately', 'http://internal.test/x'],
      ['the metadata service', 'http://169.254.169.254/latest/meta-data/iam/'],
      ['IPv6 loopback outside the allow-list', 'http://[::1]/x'],
      ['a hex private address', 'http://0x0a000001/x'],
      ['another scheme', 'file:///etc/passwd'],
    ])('refuses a redirect to %s without connecting there', async (_what, location) => {
      routes.set('/go', redirect(location));
      const err = await sourceError(fetcher().fetch({ url: `${origin}/go` }));
      expect(err.code).toBe(SourceErrorCode.Forbidden);
      expect(guard.connects()).toBe(1);
      expect(connections).toBe(1);
    });
  });
});
