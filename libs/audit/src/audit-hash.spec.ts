import { type TenantId } from '@app/contracts';
import { chainHash, GENESIS_HASH } from './audit-hash';

const event = {
  eventId: '4f1d2f9e-6a53-4c53-9b57-0f7f0e7d1a01',
  seq: 1,
  at: '2026-11-26T10:00:00.000Z',
  tenantId: '9d7e2d1c-0a0b-4c1d-8e2f-3a4b5c6d7e8f' as TenantId,
  actor: { type: 'operator' as const },
  action: 'tenant.created',
  target: { type: 'tenant', id: '9d7e2d1c-0a0b-4c1d-8e2f-3a4b5c6d7e8f' },
  outcome: 'success' as const,
  details: { latencyMs: 3, name: 'x' },
  requestId: null,
  prevHash: GENESIS_HASH,
};

describe('chainHash', () => {
  it('does not depend on key order (canonical JSON)', () => {
    const reordered = { ...event, details: { name: 'x', latencyMs: 3 } };
    expect(chainHash(reordered)).toBe(chainHash(event));
  });

  it('changes when any field or the previous hash changes', () => {
    const base = chainHash(event);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash({ ...event, seq: 2 })).not.toBe(base);
    expect(chainHash({ ...event, outcome: 'denied' })).not.toBe(base);
    expect(chainHash({ ...event, details: { latencyMs: 4, name: 'x' } })).not.toBe(base);
    expect(chainHash({ ...event, prevHash: 'f'.repeat(64) })).not.toBe(base);
  });
});
