import { createHash, randomUUID } from 'node:crypto';

declare const brand: unique symbol;
/** A nominal type: a string that has been checked to be a particular kind of id. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type TenantId = Brand<string, 'TenantId'>;
export type ApiKeyId = Brand<string, 'ApiKeyId'>;
export type AuditEventId = Brand<string, 'AuditEventId'>;
export type RequestId = Brand<string, 'RequestId'>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

function brandUuid<T extends string>(value: string, what: string): T {
  if (!isUuid(value)) throw new TypeError(`${what} must be a UUID`);
  return value.toLowerCase() as T;
}

export const TenantId = {
  parse: (value: string): TenantId => brandUuid<TenantId>(value, 'tenantId'),
  generate: (): TenantId => randomUUID() as TenantId,
};

export const ApiKeyId = {
  parse: (value: string): ApiKeyId => brandUuid<ApiKeyId>(value, 'apiKeyId'),
  generate: (): ApiKeyId => randomUUID() as ApiKeyId,
};

export const AuditEventId = {
  generate: (): AuditEventId => randomUUID() as AuditEventId,
};

/** The integrator's own asset id: 1-200 characters of A-Za-z0-9._:- (API.md). */
export const ASSET_ID_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * A UUID (RFC 9562 version 8, name-based) from a namespace and parts: the same names always give the
 * same id, so a retried request or job finds what its first attempt created.
 */
export function nameBasedUuid(namespace: string, ...parts: readonly string[]): string {
  const h = createHash('sha256').update([namespace, ...parts].join('\0')).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
