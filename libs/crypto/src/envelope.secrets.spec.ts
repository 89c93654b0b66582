import { randomUUID } from 'node:crypto';
import { ErrorKind } from '@app/contracts';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { SECRET_MAX_BYTES, SECRET_OVERHEAD_BYTES } from './secret-blob';
import { harness, newTenant, rejection, vector } from './spec-helpers';

const PURPOSE = 'webhook-secret';
const secret = () => Buffer.from('whsec-0123456789abcdef-ÄÖÜ', 'utf8');

describe('EnvelopeService secrets', () => {
  it('round-trips a secret through a self-describing blob that does not contain it', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const plain = secret();
    const blob = await h.envelope.sealSecret(tenant, PURPOSE, plain);
    expect(blob.length).toBe(plain.length + SECRET_OVERHEAD_BYTES);
    expect(blob[0]).toBe(0x53);
    expect(blob.readUInt32BE(1)).toBe(1);
    expect(Number(blob.readBigUInt64BE(5))).toBe(h.clock.now);
    expect(h.envelope.keyVersionOfSecret(blob)).toBe(1);
    for (let i = 0; i + 4 <= plain.length; i++) expect(blob.includes(plain.subarray(i, i + 4))).toBe(false);
    // The caller may zero its plaintext at once: the blob does not share its memory.
    plain.fill(0);
    const out = await h.envelope.openSecret(tenant, PURPOSE, blob);
    expect(out.equals(secret())).toBe(true);
    // Zeroing what openSecret returned leaves the next open intact.
    out.fill(0);
    expect((await h.envelope.openSecret(tenant, PURPOSE, blob)).equals(secret())).toBe(true);
  });

  it('uses a fresh IV for every blob', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const a = await h.envelope.sealSecret(tenant, PURPOSE, secret());
    const b = await h.envelope.sealSecret(tenant, PURPOSE, secret());
    expect(a.subarray(13, 25).equals(b.subarray(13, 25))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('binds tenant and purpose: a moved blob fails with decrypt_failed', async () => {
    const h = harness();
    const tenantA = newTenant();
    const tenantB = newTenant();
    await h.keys.provisionTenant(tenantA);
    await h.keys.provisionTenant(tenantB);
    const blob = await h.envelope.sealSecret(tenantA, PURPOSE, secret());

    for (const attempt of [
      h.envelope.openSecret(tenantB, PURPOSE, blob),
      h.envelope.openSecret(tenantA, 'api-token', blob),
      h.envelope.openSecret(tenantA, `${PURPOSE} `, blob),
    ]) {
      const err = await rejection(attempt);
      expect(err).toBeInstanceOf(CryptoError);
      expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
      expect((err as CryptoError).kind).toBe(ErrorKind.Internal);
    }
    await expect(h.envelope.openSecret(tenantA, PURPOSE, blob)).resolves.toEqual(secret());
  });

  it('is not confused with a sealed embedding of the same tenant, either way round', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const embedding = await h.envelope.encrypt(tenant, PURPOSE, 'm@1', vector(8));
    const blob = await h.envelope.sealSecret(tenant, PURPOSE, Buffer.alloc(32, 7));
    expect(((await rejection(h.envelope.openSecret(tenant, PURPOSE, embedding))) as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    expect(((await rejection(h.envelope.decrypt(tenant, PURPOSE, 'm@1', blob))) as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    expect(() => h.envelope.keyVersionOfSecret(embedding)).toThrow(CryptoError);
  });

  it('detects a flip of any single byte, and truncation', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    await h.keys.rotate(tenant); // version 2 exists, so a flipped version byte can also land on a real key
    const blob = await h.envelope.sealSecret(tenant, PURPOSE, secret());
    const codes = new Set<string>();
    for (let i = 0; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= i === 4 ? 0x03 : 0x01; // at byte 4 this turns version 2 into 1: a real, wrong key
      const err = await rejection(h.envelope.openSecret(tenant, PURPOSE, tampered));
      expect(err).toBeInstanceOf(CryptoError);
      codes.add((err as CryptoError).code);
    }
    expect([...codes].sort()).toEqual([CryptoErrorCode.DecryptFailed, CryptoErrorCode.UnknownKeyVersion].sort());
    for (const cut of [1, 16, blob.length - SECRET_OVERHEAD_BYTES]) {
      const err = await rejection(h.envelope.openSecret(tenant, PURPOSE, blob.subarray(0, blob.length - cut)));
      expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    }
  });

  it('refuses empty and oversized secrets, an empty purpose, and an unprovisioned tenant', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    await expect(h.envelope.sealSecret(tenant, PURPOSE, Buffer.alloc(0))).rejects.toThrow(RangeError);
    await expect(h.envelope.sealSecret(tenant, PURPOSE, Buffer.alloc(SECRET_MAX_BYTES + 1, 1))).rejects.toThrow(RangeError);
    await expect(h.envelope.sealSecret(tenant, '', secret())).rejects.toThrow(RangeError);
    await expect(h.envelope.sealSecret(tenant, PURPOSE, Buffer.alloc(SECRET_MAX_BYTES, 1))).resolves.toHaveLength(SECRET_MAX_BYTES + SECRET_OVERHEAD_BYTES);
    const err = await rejection(h.envelope.sealSecret(newTenant(), PURPOSE, secret()));
    expect((err as CryptoError).code).toBe(CryptoErrorCode.KeyNotProvisioned);
  });

  it('reencryptSecret moves a secret to the current version; once the old version is destroyed only the re-sealed copy opens', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const old = await h.envelope.sealSecret(tenant, PURPOSE, secret());
    await h.keys.rotate(tenant);
    const fresh = await h.envelope.reencryptSecret(tenant, PURPOSE, old);
    expect(h.envelope.keyVersionOfSecret(fresh)).toBe(2);
    expect(await h.envelope.reencryptSecret(tenant, PURPOSE, fresh)).toBe(fresh);
    // Re-sealing keeps the binding: another purpose still cannot open it.
    expect(((await rejection(h.envelope.openSecret(tenant, 'other', fresh))) as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    // Re-sealing under another purpose is refused (the old blob does not open for it).
    expect(((await rejection(h.envelope.reencryptSecret(tenant, 'other', old))) as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);

    await h.keys.destroyVersion(tenant, 1);
    h.keys.evictTenant(tenant);
    expect(((await rejection(h.envelope.openSecret(tenant, PURPOSE, old))) as CryptoError).code).toBe(CryptoErrorCode.KeyDestroyed);
    expect((await h.envelope.openSecret(tenant, PURPOSE, fresh)).equals(secret())).toBe(true);
  });

  it('cannot be opened after the tenant is shredded', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const blob = await h.envelope.sealSecret(tenant, PURPOSE, Buffer.from(randomUUID()));
    await h.keys.shredTenant(tenant);
    expect(((await rejection(h.envelope.openSecret(tenant, PURPOSE, blob))) as CryptoError).code).toBe(CryptoErrorCode.KeyDestroyed);
  });
});
