import { randomUUID } from 'node:crypto';
import { ErrorKind } from '@app/contracts';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { EMBEDDING_OVERHEAD_BYTES, readEmbeddingHeader } from './embedding-blob';
import { harness, newTenant, rejection, vector } from './spec-helpers';

const MODEL = 'arcface-r100@1';

describe('EnvelopeService', () => {
  it('round-trips a 512-d embedding through a self-describing blob', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const face = randomUUID();
    const v = vector();
    const blob = await h.envelope.encrypt(tenant, face, MODEL, v);
    expect(blob.length).toBe(512 * 4 + EMBEDDING_OVERHEAD_BYTES);
    expect(blob[0]).toBe(1);
    expect(readEmbeddingHeader(blob)).toEqual({ formatVersion: 1, keyVersion: 1, sealedAt: new Date(h.clock.now) });
    // The vector's bytes must not appear in clear.
    expect(blob.includes(Buffer.from(v.buffer).subarray(0, 16))).toBe(false);
    const out = await h.envelope.decrypt(tenant, face, MODEL, blob);
    expect(Array.from(out)).toEqual(Array.from(v));
  });

  it('uses a fresh IV for every blob', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const a = await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    const b = await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    expect(a.subarray(13, 25).equals(b.subarray(13, 25))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('binds tenant, face and model version: a moved blob fails with decrypt_failed', async () => {
    const h = harness();
    const tenantA = newTenant();
    const tenantB = newTenant();
    await h.keys.provisionTenant(tenantA);
    await h.keys.provisionTenant(tenantB);
    const face = randomUUID();
    const blob = await h.envelope.encrypt(tenantA, face, MODEL, vector());

    for (const attempt of [
      h.envelope.decrypt(tenantB, face, MODEL, blob),
      h.envelope.decrypt(tenantA, randomUUID(), MODEL, blob),
      h.envelope.decrypt(tenantA, face, 'arcface-r100@2', blob),
    ]) {
      const err = await rejection(attempt);
      expect(err).toBeInstanceOf(CryptoError);
      expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
      expect((err as CryptoError).kind).toBe(ErrorKind.Internal);
    }
    await expect(h.envelope.decrypt(tenantA, face, MODEL, blob)).resolves.toBeInstanceOf(Float32Array);
  });

  it('detects a flip of any single byte', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    await h.keys.rotate(tenant); // version 2 exists, so a flipped version byte can also land on a real key
    const blob = await h.envelope.encrypt(tenant, 'face', MODEL, vector(64));
    const codes = new Set<string>();
    for (let i = 0; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= i === 4 ? 0x03 : 0x01; // at byte 4 this turns version 2 into 1: a real, wrong key
      const err = await rejection(h.envelope.decrypt(tenant, 'face', MODEL, tampered));
      expect(err).toBeInstanceOf(CryptoError);
      codes.add((err as CryptoError).code);
    }
    expect([...codes].sort()).toEqual([CryptoErrorCode.DecryptFailed, CryptoErrorCode.UnknownKeyVersion].sort());
    // And a truncated blob.
    const err = await rejection(h.envelope.decrypt(tenant, 'face', MODEL, blob.subarray(0, blob.length - 1)));
    expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
  });

  it('reports a DEK version the tenant never had as unknown_key_version', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const blob = await h.envelope.encrypt(tenant, 'face', MODEL, vector());
    blob.writeUInt32BE(7, 1);
    const err = await rejection(h.envelope.decrypt(tenant, 'face', MODEL, blob));
    expect((err as CryptoError).code).toBe(CryptoErrorCode.UnknownKeyVersion);
  });

  it('refuses to encrypt for a tenant that was never provisioned', async () => {
    const h = harness();
    const err = await rejection(h.envelope.encrypt(newTenant(), 'face', MODEL, vector()));
    expect((err as CryptoError).code).toBe(CryptoErrorCode.KeyNotProvisioned);
  });

  it('decryptMany opens rows of several DEK versions in input order with one unwrap per version', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const rows = [];
    for (let i = 0; i < 600; i++) {
      if (i === 300) await h.keys.rotate(tenant);
      const faceId = randomUUID();
      rows.push({ faceId, modelVersion: MODEL, blob: await h.envelope.encrypt(tenant, faceId, MODEL, vector(512, i)) });
    }
    rows.reverse();
    h.keys.evictTenant(tenant);
    const before = h.keys.stats().kmsCalls.unwrapDataKey;
    const out = await h.envelope.decryptMany(tenant, rows);
    expect(h.keys.stats().kmsCalls.unwrapDataKey - before).toBe(2);
    expect(out).toHaveLength(600);
    out.forEach((v, i) => expect(v[3]).toBe(vector(512, 599 - i)[3]));
  });

  it('decryptMany names the bad row', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const rows = await Promise.all(
      [0, 1, 2].map(async (i) => ({ faceId: `f${i}`, modelVersion: MODEL, blob: await h.envelope.encrypt(tenant, `f${i}`, MODEL, vector()) })),
    );
    rows[2] = { ...rows[2], faceId: 'f0' };
    const err = await rejection(h.envelope.decryptMany(tenant, rows));
    expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    expect((err as CryptoError).detail).toMatch(/^Row 2:/);
  });

  it('reencrypt moves a blob to the current version and leaves current blobs alone', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const old = await h.envelope.encrypt(tenant, 'face', MODEL, vector());
    await h.keys.rotate(tenant);
    const fresh = await h.envelope.reencrypt(tenant, old, 'face', MODEL);
    expect(h.envelope.keyVersionOf(fresh)).toBe(2);
    expect(Array.from(await h.envelope.decrypt(tenant, 'face', MODEL, fresh))).toEqual(Array.from(vector()));
    expect(await h.envelope.reencrypt(tenant, fresh, 'face', MODEL)).toBe(fresh);
    // The old blob still opens until version 1 is destroyed.
    await expect(h.envelope.decrypt(tenant, 'face', MODEL, old)).resolves.toBeInstanceOf(Float32Array);
  });
});
