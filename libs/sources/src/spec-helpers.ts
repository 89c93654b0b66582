// Shared by this lib's specs only (not exported from index.ts).
import { EventEmitter } from 'node:events';
import { type ClientRequest, type IncomingMessage } from 'node:http';
import { type LookupFunction, Socket } from 'node:net';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { type HostResolver, type ResolvedAddress } from './ssrf-guard';
import { SourceError } from './source.error';
import { type RequestFunction } from './url-fetcher';

export const addr = (address: string): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 });

/** A resolver answering from a table; unknown names fail like NXDOMAIN. */
export function fakeResolver(table: Record<string, string[]>): jest.Mock<ReturnType<HostResolver>, Parameters<HostResolver>> {
  return jest.fn(async (hostname: string) => {
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answers.map(addr);
  });
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export type RequestOptionsSeen = Parameters<RequestFunction>[0];

/**
 * A request function that never opens a socket: it records the options it was given and answers
 * with the scripted responses, one per call (the last one repeats).
 */
export function fakeRequest(...responses: FakeResponse[]): jest.Mock<ClientRequest, Parameters<RequestFunction>> {
  let call = 0;
  return jest.fn((_options, onResponse) => {
    const scripted = responses[Math.min(call++, responses.length - 1)];
    const req = new EventEmitter() as EventEmitter & { end: () => void; destroy: (err?: Error) => void };
    req.end = () => {
      setImmediate(() => {
        const res = Readable.from(scripted.body === undefined ? [] : [Buffer.from(scripted.body)]) as unknown as IncomingMessage;
        res.statusCode = scripted.status;
        res.headers = scripted.headers ?? {};
        onResponse(res);
      });
    };
    req.destroy = (err?: Error) => {
      if (err) setImmediate(() => req.emit('error', err));
    };
    return req as unknown as ClientRequest;
  });
}

/** A request function that fails the test if it is ever called. */
export const forbiddenRequest = (): jest.Mock<ClientRequest, Parameters<RequestFunction>> =>
  jest.fn<ClientRequest, Parameters<RequestFunction>>(() => {
    throw new Error('a request was made although the URL must be refused first');
  });

/** Every answer the pinned `lookup` gives, for both lookup styles the socket layer uses. */
export function pinnedAnswers(options: RequestOptionsSeen): { one: [string, number]; all: { address: string; family: number }[] } {
  const lookup = options.lookup as LookupFunction;
  let one: [string, number] = ['', 0];
  let all: { address: string; family: number }[] = [];
  lookup(String(options.host), {}, (err, address, family) => {
    if (err) throw err;
    one = [address as string, family ?? 0];
  });
  lookup(String(options.host), { all: true }, (err, addresses) => {
    if (err) throw err;
    all = addresses as { address: string; family: number }[];
  });
  return { one, all };
}

/**
 * Makes any socket connect by the code under test throw, and counts those attempts: for tests where
 * nothing may connect at all. Connections of other code still alive in this jest worker (a Redis
 * client of an earlier suite reconnecting, say) are not this lib's and pass through.
 */
const fromSources = () => /[\\/]libs[\\/]sources[\\/]src[\\/](?!.*spec)/.test(new Error().stack ?? '');

export function noSockets(): { attempts: () => number; restore: () => void } {
  const originalConnect = Socket.prototype.connect;
  const originalTls = tls.connect;
  let attempts = 0;
  const net = jest.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket, ...args: unknown[]) {
    if (!fromSources()) return (originalConnect as (...a: unknown[]) => Socket).apply(this, args);
    attempts++;
    throw new Error('a socket was opened');
  });
  const tlsSpy = jest.spyOn(tls, 'connect').mockImplementation((...args: unknown[]) => {
    if (!fromSources()) return (originalTls as (...a: unknown[]) => tls.TLSSocket)(...args);
    attempts++;
    throw new Error('a TLS socket was opened');
  });
  return {
    attempts: () => attempts,
    restore: () => {
      net.mockRestore();
      tlsSpy.mockRestore();
    },
  };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Safety net for specs with real sockets: every connection must go to a loopback address, whatever
 * the code under test does. Checks literal hosts and every answer of a socket's `lookup`.
 */
export function loopbackOnly(): { connects: () => number; restore: () => void } {
  const original = Socket.prototype.connect;
  let connects = 0;
  const check = (address: string) => {
    if (!LOOPBACK.test(address)) throw new Error(`refusing to connect to non-loopback ${address} in a test`);
  };
  const spy = jest.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket, ...args: unknown[]) {
    // Counted only for this lib's own connections; other suites' leftover clients in this jest worker
    // (a Redis client reconnecting, say) are still held to loopback but not counted.
    if (fromSources()) connects++;
    const first = args[0];
    const opts = (Array.isArray(first) ? first[0] : first) as { host?: string; path?: string | null; lookup?: LookupFunction } | number;
    // net treats a truthy `path` as a Unix socket (IPC), exactly as here.
    if (typeof opts === 'object' && opts !== null && !opts.path) {
      const host = opts.host ?? 'localhost';
      if (/^[\d.]+$|:/.test(host)) check(host);
      const inner = opts.lookup;
      if (inner) {
        opts.lookup = ((hostname, lookupOptions, callback) =>
          inner(hostname, lookupOptions, (err, address, family) => {
            if (!err) (Array.isArray(address) ? address.map((a) => a.address) : [address]).forEach(check);
            callback(err, address as string, family);
          })) as LookupFunction;
      } else if (!/^[\d.]+$|:/.test(host) && host !== 'localhost') throw new Error(`test socket to ${host} without a pinned lookup`);
    } else if (typeof opts === 'number') {
      check(typeof args[1] === 'string' ? args[1] : '127.0.0.1');
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  });
  return { connects: () => connects, restore: () => spy.mockRestore() };
}

/** The SourceError a promise rejects with (fails the test if it resolves or rejects otherwise). */
export async function sourceError(p: Promise<unknown>): Promise<SourceError> {
  const outcome = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(outcome instanceof SourceError)) throw new Error(`expected a SourceError, got ${String(outcome)}`);
  return outcome;
}
