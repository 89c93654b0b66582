import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { type AuditEventView } from './audit-event';

/** prevHash of a tenant's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash = SHA-256(prevHash + canonical event) (API.md), where the canonical event is the RFC 8785
 * JSON canonicalisation of every field except the two hashes, so any changed, added, removed or
 * reordered event breaks the chain from there on.
 */
export function chainHash(event: Omit<AuditEventView, 'hash'>): string {
  const { prevHash, ...body } = event;
  const canonical = canonicalize(body);
  if (canonical === undefined) throw new TypeError('audit event is not serialisable');
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}
