import { type ClientRequest, type IncomingMessage, request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { readLimited, tooLarge } from './byte-limit';
import { onAbort } from './deadline';
import { SourceError, SourceErrorCode } from './source.error';
import { type HostResolver, type PinnedTarget, SsrfGuard } from './ssrf-guard';

/**
 * Opens one HTTP(S) request; `http.request`/`https.request` by default. Injectable so tests can see
 * where a request would go without opening a socket.
 */
export type RequestFunction = (options: RequestOptions & { servername?: string }, onResponse: (res: IncomingMessage) => void) => ClientRequest;

export const defaultRequest: RequestFunction = (options, onResponse) =>
  options.protocol === 'https:' ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);

export interface UrlFetcherOptions {
  readonly allowHttp: boolean;
  readonly privateAllowlist: readonly string[];
  readonly maxRedirects: number;
  readonly maxBytes: number;
  readonly resolver?: HostResolver;
  readonly request?: RequestFunction;
  readonly userAgent?: string;
}

export interface UrlFetchResult {
  readonly body: Buffer;
  readonly status: number;
  /** Host of the hop that answered (after redirects). */
  readonly finalHost: string;
  readonly redirects: number;
}

export const DEFAULT_USER_AGENT = 'facesearch-image-fetcher/1';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches an image URL under the SSRF rules. Each hop is checked and resolved once by SsrfGuard and
 * the socket goes to exactly the checked addresses (a pinned `lookup`), while Host, SNI and the
 * certificate check keep the original host name. Redirects are followed by hand so every hop is
 * checked again; nothing of the caller's (cookies, credentials, Referer) is ever sent.
 */
export class UrlFetcher {
  private readonly guard: SsrfGuard;
  private readonly request: RequestFunction;
  private readonly userAgent: string;

  constructor(private readonly options: UrlFetcherOptions) {
    this.guard = new SsrfGuard(options);
    this.request = options.request ?? defaultRequest;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  /** Syntax and scheme checks only, without network: for validating a request before queueing it. */
  checkUrl(raw: string): URL {
    return this.guard.checkUrl(raw);
  }

  async fetch(raw: string, signal: AbortSignal): Promise<UrlFetchResult> {
    let url = this.guard.checkUrl(raw);
    for (let redirects = 0; ; redirects++) {
      const target = await this.guard.pin(url, signal);
      const res = await this.send(target, signal);
      const status = res.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status)) {
        const location = res.headers.location;
        res.destroy();
        if (!location) throw new SourceError(SourceErrorCode.Unreachable, `the server answered HTTP ${status} without a location`);
        if (redirects >= this.options.maxRedirects) {
          throw new SourceError(SourceErrorCode.Forbidden, `the URL redirects more than ${this.options.maxRedirects} times`);
        }
        url = this.guard.checkUrl(location, url);
        continue;
      }
      if (status === 404 || status === 410) {
        res.destroy();
        throw new SourceError(SourceErrorCode.NotFound, `the server answered HTTP ${status}`);
      }
      if (status < 200 || status > 299) {
        res.destroy();
        throw new SourceError(SourceErrorCode.Unreachable, `the server answered HTTP ${status}`);
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.options.maxBytes) {
        res.destroy();
        throw tooLarge(this.options.maxBytes);
      }
      const body = await readLimited(res, this.options.maxBytes, signal);
      return { body, status, finalHost: target.hostname, redirects };
    }
  }

  /**
   * POSTs a body (webhooks) under the same SSRF rules. Redirects are not followed: a webhook endpoint
   * that redirects is treated as failing. Returns the status; the response body is discarded.
   */
  async post(raw: string, body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
    const target = await this.guard.pin(this.guard.checkUrl(raw), signal);
    const res = await this.send(target, signal, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, body });
    res.resume();
    return res.statusCode ?? 0;
  }

  private send(target: PinnedTarget, signal: AbortSignal, init?: { method: string; headers: Record<string, string>; body: Buffer }): Promise<IncomingMessage> {
    const { url, hostname, addresses } = target;
    // Answers every lookup the socket makes with the addresses already checked, so there is no
    // second DNS query an attacker could answer differently (DNS rebinding).
    const pinned: LookupFunction = (_host, opts, callback) => {
      if (opts.all) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
      else callback(null, addresses[0].address, addresses[0].family);
    };
    const options: RequestOptions & { servername?: string } = {
      protocol: url.protocol,
      host: hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: init?.method ?? 'GET',
      headers: init
        ? { ...init.headers, host: url.host, 'user-agent': this.userAgent }
        : { host: url.host, 'user-agent': this.userAgent, accept: 'image/*', 'accept-encoding': 'identity' },
      lookup: pinned,
      // A fresh connection per hop: a pooled socket could belong to an earlier, differently checked lookup.
      agent: false,
      // SNI must name the host (never an address) for certificate checks and virtual hosting.
      ...(url.protocol === 'https:' && !target.isIpLiteral ? { servername: hostname } : {}),
    };
    return new Promise<IncomingMessage>((resolve, reject) => {
      let unlink = () => undefined as void;
      const settle = (fn: () => void) => {
        unlink();
        fn();
      };
      let req: ClientRequest;
      try {
        req = this.request(options, (res) => settle(() => resolve(res)));
      } catch (err) {
        reject(new SourceError(SourceErrorCode.Unreachable, 'the request could not be made', { cause: err }));
        return;
      }
      unlink = onAbort(signal, () => req.destroy(signal.reason as Error));
      // Stays attached after the response: a socket error while the body streams must not go unhandled
      // (the body reader sees the same failure on the response stream).
      req.on('error', (err) =>
        settle(() =>
          reject(signal.aborted ? signal.reason : new SourceError(SourceErrorCode.Unreachable, 'the image host could not be reached', { cause: err })),
        ),
      );
      if (signal.aborted) req.destroy(signal.reason as Error);
      else req.end(init?.body);
    });
  }
}
