import { nameBasedUuid } from '@app/contracts';

/**
 * The index job's id from the tenant, the asset and what identifies the image (its SHA-256 for uploads,
 * the source reference otherwise): the same request twice is the same job.
 */
export function deterministicJobId(tenantId: string, assetId: string, fingerprint: string): string {
  return nameBasedUuid('index', tenantId, assetId, fingerprint);
}
