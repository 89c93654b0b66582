import { createHash } from 'node:crypto';
import { nameBasedUuid } from './ids';

describe('nameBasedUuid', () => {
  it('is a version 8 RFC 9562 UUID taken from the SHA-256 of the NUL-joined names', () => {
    const id = nameBasedUuid('index', 't', 'a', 'sha256:x');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const digest = createHash('sha256').update('index\0t\0a\0sha256:x').digest('hex');
    // Outside the version and variant bits, the hash's first 16 bytes.
    expect(id.replace(/-/g, '').slice(0, 12)).toBe(digest.slice(0, 12));
    expect(id.replace(/-/g, '').slice(20)).toBe(digest.slice(20, 32));
    // Pinned: index job ids already stored must keep resolving to the same jobs.
    expect(id).toBe('a3b88eca-51bf-8721-9863-a11e06ca55cc');
  });

  it('differs when any name differs, including how the names are split', () => {
    const base = nameBasedUuid('retention', 'tenant', '2026-01-01T00:00:00.000Z');
    expect(nameBasedUuid('retention', 'tenant', '2026-01-02T00:00:00.000Z')).not.toBe(base);
    expect(nameBasedUuid('index', 'tenant', '2026-01-01T00:00:00.000Z')).not.toBe(base);
    expect(nameBasedUuid('ab', 'c')).not.toBe(nameBasedUuid('a', 'bc'));
  });
});
