import { captureLogs } from '@app/testing';
import { SourceErrorCode } from './source.error';
import { SourceFetcher, type SourceFetcherOptions } from './source-fetcher';
import { addr, fakeRequest, fakeResolver, forbiddenRequest, noSockets, pinnedAnswers, sourceError } from './spec-helpers';
import { DEFAULT_USER_AGENT } from './url-fetcher';

// No test here reaches the network: DNS is an injected table and requests are fakes; every socket
// connect throws (noSockets), so a refusal that came too late would fail loudly.
const base: SourceFetcherOptions = { maxBytes: 1024, timeoutMs: 2000, allowHttp: false, privateAllowlist: [], maxRedirects: 3 };
const fetcher = (options: Partial<SourceFetcherOptions>) => new SourceFetcher({ ...base, logger: captureLogs().logger, ...options });
const PNG = Buffer.from('89504e470d0a1a0a0000', 'hex');

let sockets: ReturnType<typeof noSockets>;
beforeEach(() => {
  sockets = noSockets();
});
afterEach(() => {
  expect(sockets.attempts()).toBe(0);
  sockets.restore();
});

describe('URL sources: addresses refused before any connection', () => {
  it.each([
    '10.0.0.5',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '127.0.0.1',
    '::1',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
  ])('a host resolving to %s is source_forbidden, the request never made', async (address) => {
    const resolver = fakeResolver({ 'img.example.com': [address] });
    const request = forbiddenRequest();
    const err = await sourceError(fetcher({ resolver, request }).fetch({ url: 'https://img.example.com/a.jpg' }));
    expect(err.code).toBe(SourceErrorCode.Forbidden);
    expect(err.kind).toBe('validation');
    expect(err.detail).not.toContain(address);
    expect(resolver).toHaveBeenCalledTimes(1);
    expect(request).not.toHaveBeenCalled();
  });

  it('refuses a host when any one of its addresses is private', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34', '2606:2800:220:1::1', '10.0.0.5'] });
    const request = forbiddenRequest();
    expect((await sourceError(fetcher({ resolver, request }).fetch({ url: 'https://img.example.com/a.jpg' }))).code).toBe(SourceErrorCode.Forbidden);
    expect(request).not.toHaveBeenCalled();
  });

  it.each([
    'https://2130706433/', // decimal
    'https://0177.0.0.1/', // octal
    'https://0x7f.1/', // hex, short
    'https://0x7f000001/',
    'https://127.1/', // short
    'https://0/',
    'https://012.0.0.1/', // octal 10.0.0.1
    'https://0xa9.0xfe.0xa9.0xfe/latest/meta-data/', // 169.254.169.254
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/',
    'https://[::]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[0:0:0:0:0:ffff:10.0.0.1]/',
    'https://[::127.0.0.1]/',
    'https://[64:ff9b::10.0.0.1]/',
    'https://[fd00:ec2::254]/',
    'https://[fe80::1]:8443/',
  ])('literal address %s is refused without a DNS query', async (url) => {
    const resolver = fakeResolver({});
    const request = forbiddenRequest();
    const err = await sourceError(fetcher({ resolver, request }).fetch({ url }));
    expect(err.code).toBe(SourceErrorCode.Forbidden);
    expect(resolver).not.toHaveBeenCalled();
    expect(request).not.toHaveBeenCalled();
  });

  it.each([
    ['http://img.example.com/a.jpg', 'only https URLs are accepted'],
    ['ftp://img.example.com/a.jpg', 'only https URLs are accepted'],
    ['file:///etc/passwd', 'only https URLs are accepted'],
    ['gopher://img.example.com/', 'only https URLs are accepted'],
    ['data:image/png;base64,iVBORw0KGgo=', 'only https URLs are accepted'],
    ['javascript:alert(1)', 'only https URLs are accepted'],
    ['https://user:secret@img.example.com/a.jpg', 'credentials'],
    ['https://user@img.example.com/a.jpg', 'credentials'],
    ['https://:secret@img.example.com/a.jpg', 'credentials'],
    ['/relative/a.jpg', 'not a valid absolute URL'],
    ['https://', 'not a valid absolute URL'],
    [`https://img.example.com/${'a'.repeat(9000)}`, 'longer than'],
  ])('%s is refused by the URL rules', async (url, why) => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'] });
    const request = forbiddenRequest();
    const err = await sourceError(fetcher({ resolver, request }).fetch({ url }));
    expect(err.code).toBe(SourceErrorCode.Forbidden);
    expect(err.detail).toContain(why);
    expect(err.detail).not.toContain('secret');
    expect(resolver).not.toHaveBeenCalled();
  });

  it.each([[{}], [{ url: 42 }], [{ s3: null }], [{ url: 'https://a.example.com/', s3: { bucket: 'b', key: 'k' } }], [null]])(
    'a malformed source %j is source_forbidden, not a TypeError',
    async (source) => {
      const f = fetcher({ resolver: fakeResolver({}), request: forbiddenRequest() });
      expect((await sourceError(f.fetch(source as never))).code).toBe(SourceErrorCode.Forbidden);
      expect(() => f.validate(source as never)).toThrow(expect.objectContaining({ code: SourceErrorCode.Forbidden }));
    },
  );

  it('validate() applies the URL rules without resolving anything', () => {
    const resolver = fakeResolver({});
    const f = fetcher({ resolver, request: forbiddenRequest() });
    expect(() => f.validate({ url: 'http://img.example.com/' })).toThrow(expect.objectContaining({ code: SourceErrorCode.Forbidden }));
    expect(() => f.validate({ url: 'https://img.example.com/' })).not.toThrow();
    expect(resolver).not.toHaveBeenCalled();
  });
});

describe('URL sources: where a permitted request goes', () => {
  it('connects to exactly the resolved address, with the host name as Host and SNI', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'] });
    const request = fakeRequest({ status: 200, headers: { 'content-type': 'image/png' }, body: PNG });
    const body = await fetcher({ resolver, request }).fetch({ url: 'https://img.example.com/photos/a.png?sig=abc#frag' });
    expect(body.equals(PNG)).toBe(true);
    expect(request).toHaveBeenCalledTimes(1);
    const options = request.mock.calls[0][0];
    expect(options).toMatchObject({ protocol: 'https:', host: 'img.example.com', servername: 'img.example.com', path: '/photos/a.png?sig=abc', method: 'GET', agent: false });
    expect(options.headers).toEqual({ host: 'img.example.com', 'user-agent': DEFAULT_USER_AGENT, accept: 'image/*', 'accept-encoding': 'identity' });
    expect(pinnedAnswers(options)).toEqual({ one: ['93.184.216.34', 4], all: [addr('93.184.216.34')] });
  });

  it('pins every checked address of a dual-stack host, and keeps a non-default port in Host', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34'] });
    const request = fakeRequest({ status: 200, body: PNG });
    await fetcher({ resolver, request }).fetch({ url: 'https://IMG.example.com:8443/a.png' });
    const options = request.mock.calls[0][0];
    expect(options).toMatchObject({ host: 'img.example.com', port: 8443, headers: expect.objectContaining({ host: 'img.example.com:8443' }) });
    expect(pinnedAnswers(options).all).toEqual([addr('2606:2800:220:1:248:1893:25c8:1946'), addr('93.184.216.34')]);
  });

  it('sends no SNI for a public literal address', async () => {
    const request = fakeRequest({ status: 200, body: PNG });
    await fetcher({ resolver: fakeResolver({}), request }).fetch({ url: 'https://93.184.216.34/a.png' });
    expect(request.mock.calls[0][0]).toMatchObject({ host: '93.184.216.34' });
    expect(request.mock.calls[0][0].servername).toBeUndefined();
  });

  it('survives DNS rebinding: one lookup per hop, the connection goes to the first answer', async () => {
    const resolver = jest
      .fn()
      .mockResolvedValueOnce([addr('93.184.216.34')])
      .mockResolvedValue([addr('127.0.0.1')]);
    const request = fakeRequest({ status: 200, body: PNG });
    await fetcher({ resolver, request }).fetch({ url: 'https://rebind.example.com/a.png' });
    expect(resolver).toHaveBeenCalledTimes(1);
    const options = request.mock.calls[0][0];
    // However often the socket layer asks (happy eyeballs, retries), it gets the checked address.
    expect(pinnedAnswers(options).one).toEqual(['93.184.216.34', 4]);
    expect(pinnedAnswers(options).all).toEqual([addr('93.184.216.34')]);
    expect(resolver).toHaveBeenCalledTimes(1);
  });

  it('opens private addresses for allow-listed host names and CIDRs, never metadata or 0.0.0.0', async () => {
    const resolver = fakeResolver({
      'dam.internal': ['10.0.0.5'],
      'other.internal': ['10.0.0.6'],
      'meta.internal': ['169.254.169.254'],
      'zero.internal': ['0.0.0.0'],
      'lab.internal': ['192.168.7.7'],
    });
    const request = fakeRequest({ status: 200, body: PNG });
    const f = fetcher({ resolver, request, privateAllowlist: ['dam.internal', 'meta.internal', 'zero.internal', '192.168.0.0/16', '169.254.0.0/16'] });
    await expect(f.fetch({ url: 'https://dam.internal/a.png' })).resolves.toEqual(PNG);
    await expect(f.fetch({ url: 'https://lab.internal/a.png' })).resolves.toEqual(PNG);
    expect(pinnedAnswers(request.mock.calls[0][0]).one).toEqual(['10.0.0.5', 4]);
    for (const host of ['other.internal', 'meta.internal', 'zero.internal']) {
      expect((await sourceError(f.fetch({ url: `https://${host}/a.png` }))).code).toBe(SourceErrorCode.Forbidden);
    }
    expect(request).toHaveBeenCalledTimes(2);
  });
});

describe('URL sources: redirects', () => {
  it('checks every hop again: a redirect to a private literal is refused without connecting there', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'] });
    const request = fakeRequest({ status: 302, headers: { location: 'http://10.0.0.1/x' } });
    const err = await sourceError(fetcher({ resolver, request, allowHttp: true }).fetch({ url: 'https://img.example.com/a.png' }));
    expect(err.code).toBe(SourceErrorCode.Forbidden);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('resolves the redirect target and refuses a private answer (metadata behind a public name)', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'], 'evil.example.net': ['169.254.169.254'] });
    const request = fakeRequest({ status: 301, headers: { location: 'https://evil.example.net/latest/meta-data/' } });
    const err = await sourceError(fetcher({ resolver, request }).fetch({ url: 'https://img.example.com/a.png' }));
    expect(err.code).toBe(SourceErrorCode.Forbidden);
    expect(resolver.mock.calls.map((c) => c[0])).toEqual(['img.example.com', 'evil.example.net']);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('refuses a downgrade to http and other schemes on redirect', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'] });
    for (const location of ['http://img.example.com/a.png', 'file:///etc/passwd', 'https://u:p@img.example.com/']) {
      const request = fakeRequest({ status: 307, headers: { location } });
      expect((await sourceError(fetcher({ resolver, request }).fetch({ url: 'https://img.example.com/a.png' }))).code).toBe(SourceErrorCode.Forbidden);
      expect(request).toHaveBeenCalledTimes(1);
    }
  });

  it('follows relative locations up to maxRedirects, and refuses one more', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'] });
    const ok = fakeRequest({ status: 302, headers: { location: '/b.png' } }, { status: 303, headers: { location: 'c.png' } }, { status: 200, body: PNG });
    await expect(fetcher({ resolver, request: ok, maxRedirects: 2 }).fetch({ url: 'https://img.example.com/dir/a.png' })).resolves.toEqual(PNG);
    expect(ok.mock.calls.map((c) => c[0].path)).toEqual(['/dir/a.png', '/b.png', '/c.png']);

    const loop = fakeRequest({ status: 302, headers: { location: '/again' } });
    const err = await sourceError(fetcher({ resolver, request: loop, maxRedirects: 2 }).fetch({ url: 'https://img.example.com/a.png' }));
    expect(err.code).toBe(SourceErrorCode.Forbidden);
    expect(err.detail).toContain('redirects more than 2 times');
    expect(loop).toHaveBeenCalledTimes(3);
  });

  it('a redirect without a location is source_unreachable', async () => {
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'] });
    const err = await sourceError(fetcher({ resolver, request: fakeRequest({ status: 302 }) }).fetch({ url: 'https://img.example.com/a.png' }));
    expect(err.code).toBe(SourceErrorCode.Unreachable);
  });
});

describe('URL sources: answers and failures', () => {
  const resolver = () => fakeResolver({ 'img.example.com': ['93.184.216.34'] });
  const fetchWith = (request: ReturnType<typeof fakeRequest>, extra: Partial<SourceFetcherOptions> = {}) =>
    fetcher({ resolver: resolver(), request, ...extra }).fetch({ url: 'https://img.example.com/a.png' });

  it.each([
    [404, SourceErrorCode.NotFound, 'not_found'],
    [410, SourceErrorCode.NotFound, 'not_found'],
    [403, SourceErrorCode.Unreachable, 'unavailable'],
    [401, SourceErrorCode.Unreachable, 'unavailable'],
    [500, SourceErrorCode.Unreachable, 'unavailable'],
    [503, SourceErrorCode.Unreachable, 'unavailable'],
    [304, SourceErrorCode.Unreachable, 'unavailable'],
  ])('HTTP %i is %s', async (status, code, kind) => {
    const err = await sourceError(fetchWith(fakeRequest({ status })));
    expect(err).toMatchObject({ code, kind });
  });

  it('a declared Content-Length over the limit is too_large before any byte is read', async () => {
    const err = await sourceError(fetchWith(fakeRequest({ status: 200, headers: { 'content-length': '1025' }, body: PNG })));
    expect(err).toMatchObject({ code: SourceErrorCode.TooLarge, kind: 'too_large' });
  });

  it('a body over the limit without Content-Length is too_large', async () => {
    const err = await sourceError(fetchWith(fakeRequest({ status: 200, body: Buffer.alloc(1025) })));
    expect(err.code).toBe(SourceErrorCode.TooLarge);
    await expect(fetchWith(fakeRequest({ status: 200, body: Buffer.alloc(1024) }))).resolves.toHaveLength(1024);
  });

  it('DNS failures and empty answers are source_unreachable', async () => {
    const request = forbiddenRequest();
    const f = fetcher({ resolver: fakeResolver({ 'empty.example.com': [] }), request });
    expect((await sourceError(f.fetch({ url: 'https://nxdomain.example.com/a.png' }))).code).toBe(SourceErrorCode.Unreachable);
    expect((await sourceError(f.fetch({ url: 'https://empty.example.com/a.png' }))).code).toBe(SourceErrorCode.Unreachable);
  });

  it('a resolver answer that is no IP address is refused', async () => {
    const resolver = jest.fn().mockResolvedValue([{ address: '0x7f.1', family: 4 }]);
    expect((await sourceError(fetcher({ resolver, request: forbiddenRequest() }).fetch({ url: 'https://img.example.com/' }))).code).toBe(SourceErrorCode.Forbidden);
  });

  it('a connection error is source_unreachable', async () => {
    const request = jest.fn(() => {
      const req = fakeRequest({ status: 200 })(({} as never), () => undefined);
      req.end = () => {
        setImmediate(() => req.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })));
        return req;
      };
      return req;
    });
    expect((await sourceError(fetchWith(request as never))).code).toBe(SourceErrorCode.Unreachable);
  });

  it('a slow DNS answer runs into the time limit', async () => {
    const resolver = jest.fn(() => new Promise<never>(() => undefined));
    const err = await sourceError(fetcher({ resolver, request: forbiddenRequest(), timeoutMs: 50 }).fetch({ url: 'https://img.example.com/a.png' }));
    expect(err).toMatchObject({ code: SourceErrorCode.Timeout, kind: 'unavailable' });
  });

  it('the caller aborting rejects with its reason', async () => {
    const resolver = jest.fn(() => new Promise<never>(() => undefined));
    const controller = new AbortController();
    const pending = fetcher({ resolver, request: forbiddenRequest() }).fetch({ url: 'https://img.example.com/a.png' }, { signal: controller.signal });
    const reason = new Error('job cancelled');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('URL sources: logs', () => {
  it('log the host and outcome, never the path, query string or body', async () => {
    const logs = captureLogs('debug');
    const resolver = fakeResolver({ 'img.example.com': ['93.184.216.34'], 'internal.example.com': ['10.9.8.7'] });
    const request = fakeRequest({ status: 200, body: 'BODY-MARKER' });
    const f = new SourceFetcher({ ...base, resolver, request, logger: logs.logger });
    await f.fetch({ url: 'https://img.example.com/people/jane-doe.png?X-Amz-Signature=s3cr3t' });
    await sourceError(f.fetch({ url: 'https://internal.example.com/secret-path?token=s3cr3t' }));
    const text = logs.text();
    expect(text).toContain('img.example.com');
    expect(text).toContain('internal.example.com');
    expect(text).toContain('source_forbidden');
    expect(text).toMatch(/"bytes":11/);
    for (const secret of ['s3cr3t', 'jane-doe', 'secret-path', 'BODY-MARKER', 'X-Amz']) expect(text).not.toContain(secret);
  });
});
