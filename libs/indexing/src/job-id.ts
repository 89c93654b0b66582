import { createHash } from 'node:crypto';

/**
 * A UUID (RFC 9562 version 8, name-based) from the tenant, the asset and what identifies the image
 * (its SHA-256 for uploads, the source reference otherwise): the same request twice is the same job.
 */
export function deterministicJobId(tenantId: string, assetId: string, fingerprint: string): string {
  const h = createHash('sha256').update(`index\0${tenantId}\0${assetId}\0${fingerprint}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
