import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { raceAbort } from './deadline';
import { classifyAddress, parseAddress, PrivateAllowlist } from './address-policy';
import { SourceError, SourceErrorCode } from './source.error';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has (A and AAAA). Injectable so tests never touch DNS. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const defaultResolver: HostResolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** A hop's destination after the checks: the connection must go to exactly these addresses. */
export interface PinnedTarget {
  readonly url: URL;
  /** Host name without IPv6 brackets, for SNI and certificate checks. */
  readonly hostname: string;
  readonly isIpLiteral: boolean;
  readonly addresses: readonly ResolvedAddress[];
}

export interface SsrfGuardOptions {
  readonly allowHttp: boolean;
  readonly privateAllowlist: readonly string[];
  readonly resolver?: HostResolver;
}

/** Longer URLs are not image links; refusing them early keeps logs and parsers out of trouble. */
const MAX_URL_LENGTH = 8192;
const NOT_ALLOWED = 'is not allowed (private, loopback, link-local, metadata or reserved range)';

const forbidden = (detail: string) => new SourceError(SourceErrorCode.Forbidden, detail);

/**
 * The SSRF rules for URL sources, applied to the first URL and to every redirect hop: scheme, no
 * credentials, then one resolution of the host whose every address must be public (or allow-listed).
 * The caller connects to the returned addresses only, so a second, rebinding DNS answer never matters.
 */
export class SsrfGuard {
  private readonly allowlist: PrivateAllowlist;
  private readonly resolver: HostResolver;

  constructor(private readonly options: SsrfGuardOptions) {
    this.allowlist = new PrivateAllowlist(options.privateAllowlist);
    this.resolver = options.resolver ?? defaultResolver;
  }

  /** Syntax and scheme rules; `base` resolves relative redirect locations. */
  checkUrl(raw: string, base?: URL): URL {
    if (typeof raw !== 'string') throw forbidden('the URL must be a string');
    if (raw.length > MAX_URL_LENGTH) throw forbidden(`the URL is longer than ${MAX_URL_LENGTH} characters`);
    let url: URL;
    try {
      // The WHATWG parser canonicalises every IPv4 spelling (2130706433, 0177.0.0.1, 0x7f.1, 127.1)
      // to dotted decimal and IPv6 to its compressed form, so the address checks see one form only.
      url = new URL(raw, base);
    } catch {
      throw forbidden('the URL is not a valid absolute URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.allowHttp)) {
      throw forbidden(this.options.allowHttp ? 'only http and https URLs are accepted' : 'only https URLs are accepted');
    }
    if (url.username !== '' || url.password !== '') throw forbidden('URLs with credentials are refused');
    if (url.hostname === '') throw forbidden('the URL has no host');
    url.hash = '';
    return url;
  }

  /**
   * Resolves the URL's host once and checks every address; any single bad address refuses the whole
   * host (an attacker controls which of several answers a client would pick).
   */
  async pin(url: URL, signal: AbortSignal): Promise<PinnedTarget> {
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const literal = isIP(hostname);
    const addresses: readonly ResolvedAddress[] =
      literal !== 0 ? [{ address: hostname, family: literal === 6 ? 6 : 4 }] : await this.resolve(hostname, signal);
    if (addresses.length === 0) throw new SourceError(SourceErrorCode.Unreachable, 'the URL\'s host has no address');
    const hostAllowed = literal === 0 && this.allowlist.allowsHost(hostname);
    for (const { address } of addresses) {
      const parsed = parseAddress(address);
      if (parsed === undefined) throw forbidden('the URL\'s host resolved to something that is not an IP address');
      const verdict = classifyAddress(parsed);
      const opened = verdict.class === 'private' && (hostAllowed || this.allowlist.allowsAddress(parsed));
      if (verdict.class !== 'public' && !opened) {
        throw new SourceError(
          SourceErrorCode.Forbidden,
          literal !== 0 ? `the URL's address ${NOT_ALLOWED}` : `the URL's host resolves to an address that ${NOT_ALLOWED}`,
          { cause: new Error(`address range: ${verdict.range}`) },
        );
      }
    }
    return { url, hostname, isIpLiteral: literal !== 0, addresses };
  }

  private async resolve(hostname: string, signal: AbortSignal): Promise<readonly ResolvedAddress[]> {
    try {
      // dns.lookup cannot be cancelled; racing it keeps the deadline exact (the lookup ends on its own).
      return await raceAbort(this.resolver(hostname), signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new SourceError(SourceErrorCode.Unreachable, 'the URL\'s host could not be resolved', { cause: err });
    }
  }
}
