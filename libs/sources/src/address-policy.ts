import ipaddr from 'ipaddr.js';
import { ConfigError } from '@app/config';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

/**
 * Where an address may be fetched from:
 * - `public`: globally routable unicast;
 * - `private`: an internal range (RFC 1918, loopback, link-local, CGNAT, ULA, reserved, ...) that the
 *   operator's allow-list may open for tests and on-premise sources;
 * - `never`: metadata services, unspecified, broadcast and multicast, which no allow-list opens
 *   (0.0.0.0 reaches the local host on Linux; metadata endpoints hand out cloud credentials).
 */
export type AddressClass = 'public' | 'private' | 'never';

export interface AddressVerdict {
  readonly class: AddressClass;
  /** Name of the range that decided it (for logs only, never for callers). */
  readonly range: string;
}

const cidrs = (...list: string[]): Cidr[] => list.map((c) => ipaddr.parseCIDR(c));
const inCidr = (addr: Address, [net, bits]: Cidr): boolean =>
  addr.kind() === 'ipv4'
    ? net.kind() === 'ipv4' && (addr as ipaddr.IPv4).match(net as ipaddr.IPv4, bits)
    : net.kind() === 'ipv6' && (addr as ipaddr.IPv6).match(net as ipaddr.IPv6, bits);
const inAny = (addr: Address, list: readonly Cidr[]): boolean => list.some((cidr) => inCidr(addr, cidr));

// ipaddr.js 1.9 knows the common special ranges; these are the ones it lacks.
const METADATA = cidrs('169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32', 'fd00:ec2::254/128');
const EXTRA_PRIVATE_V4 = cidrs('198.18.0.0/15' /* benchmarking, RFC 2544 */);
const EXTRA_PRIVATE_V6 = cidrs(
  '64:ff9b:1::/48', // local-use NAT64 (RFC 8215): the embedded IPv4 is site-specific
  '2001:2::/48', // benchmarking (RFC 5180)
  '2001:10::/28', // ORCHID
  '2001:20::/28', // ORCHIDv2
  '3fff::/20', // documentation (RFC 9637)
);
// Only 2000::/3 is allocated as global unicast; everything else (IPv4-compatible ::a.b.c.d, 100::/64
// discard, fec0::/10 site-local, ...) has no business being a fetch target.
const GLOBAL_UNICAST_V6 = cidrs('2000::/3');
const NEVER_RANGES = new Set(['unspecified', 'broadcast', 'multicast']);

const v4FromWords = (hi: number, lo: number): ipaddr.IPv4 => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

function classifyV4(addr: ipaddr.IPv4): AddressVerdict {
  if (inAny(addr, METADATA)) return { class: 'never', range: 'metadata' };
  const range = addr.range();
  if (NEVER_RANGES.has(range)) return { class: 'never', range };
  if (range !== 'unicast') return { class: 'private', range };
  if (inAny(addr, EXTRA_PRIVATE_V4)) return { class: 'private', range: 'benchmarking' };
  return { class: 'public', range };
}

/** The worse of several verdicts (never > private > public). */
function worst(range: string, ...verdicts: AddressVerdict[]): AddressVerdict {
  const order: AddressClass[] = ['public', 'private', 'never'];
  const bad = verdicts.reduce((a, b) => (order.indexOf(b.class) > order.indexOf(a.class) ? b : a));
  return bad.class === 'public' ? { class: 'public', range } : { class: bad.class, range: `${range}(${bad.range})` };
}

function classifyV6(addr: ipaddr.IPv6): AddressVerdict {
  if (inAny(addr, METADATA)) return { class: 'never', range: 'metadata' };
  const range = addr.range();
  const p = addr.parts;
  switch (range) {
    // IPv4 carried inside IPv6: judge the IPv4 the packets really go to. NAT64 of a public address
    // is how IPv6-only hosts reach the IPv4 internet, so it stays allowed.
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return worst(range, classifyV4(v4FromWords(p[6], p[7])));
    case '6to4':
      return worst(range, classifyV4(v4FromWords(p[1], p[2])));
    case 'teredo':
      // Server address in words 2-3, client address obfuscated (bit-inverted) in words 6-7.
      return worst(range, classifyV4(v4FromWords(p[2], p[3])), classifyV4(v4FromWords(~p[6] & 0xffff, ~p[7] & 0xffff)));
    default:
      break;
  }
  if (NEVER_RANGES.has(range)) return { class: 'never', range };
  if (range !== 'unicast') return { class: 'private', range };
  if (inAny(addr, EXTRA_PRIVATE_V6)) return { class: 'private', range: 'special-purpose' };
  if (!inAny(addr, GLOBAL_UNICAST_V6)) return { class: 'private', range: 'not-global-unicast' };
  return { class: 'public', range };
}

/** Parses an IP address as resolvers return it (zone ids allowed); undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  // ipaddr.js also accepts inet_aton's legacy forms (0x7f.1); resolvers never return those, and URL
  // hosts were canonicalised by the WHATWG parser before they get here, so only strict forms pass.
  if (!ipaddr.IPv6.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return ipaddr.parse(text);
}

export function classifyAddress(addr: Address): AddressVerdict {
  return addr.kind() === 'ipv4' ? classifyV4(addr as ipaddr.IPv4) : classifyV6(addr as ipaddr.IPv6);
}

/**
 * The operator's `sources.privateAllowlist`: CIDRs (`127.0.0.0/8`), single addresses and exact host
 * names. Entries open `private` addresses only, never `never` ones.
 */
export class PrivateAllowlist {
  private readonly cidrs: Cidr[] = [];
  private readonly hosts = new Set<string>();

  constructor(entries: readonly string[]) {
    const problems: string[] = [];
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      try {
        if (entry.includes('/')) this.cidrs.push(ipaddr.parseCIDR(entry));
        else if (parseAddress(entry)) {
          const addr = ipaddr.parse(entry);
          this.cidrs.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
        } else if (/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(entry)) this.hosts.add(normalizeHost(entry));
        else problems.push(`SOURCE_PRIVATE_ALLOWLIST: "${raw}" is neither a CIDR, an IP address nor a host name`);
      } catch {
        problems.push(`SOURCE_PRIVATE_ALLOWLIST: "${raw}" is not a valid CIDR`);
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }

  allowsHost(hostname: string): boolean {
    return this.hosts.has(normalizeHost(hostname));
  }

  allowsAddress(addr: Address): boolean {
    // An IPv4-mapped IPv6 address is the same host as its IPv4 form: match either spelling.
    const alt = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : undefined;
    return inAny(addr, this.cidrs) || (alt !== undefined && inAny(alt, this.cidrs));
  }
}

/** Host names compare case-insensitively and without the root's trailing dot. */
export const normalizeHost = (hostname: string): string => hostname.toLowerCase().replace(/\.$/, '');
