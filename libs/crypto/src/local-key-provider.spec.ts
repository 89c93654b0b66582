import { randomBytes } from 'node:crypto';
import { TenantId } from '@app/contracts';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { TENANT_DATA_KEY_PURPOSE } from './key-provider';
import { LocalKeyProvider } from './local-key-provider';
import { rejection } from './spec-helpers';

const ctx = (tenantId = TenantId.generate(), purpose = TENANT_DATA_KEY_PURPOSE) => ({ tenantId, purpose });

describe('LocalKeyProvider', () => {
  it('wraps a fresh 32-byte DEK and unwraps it for the same tenant and purpose', async () => {
    const p = new LocalKeyProvider(randomBytes(32));
    const c = ctx();
    const g = await p.generateDataKey(c);
    expect(g.plaintext).toHaveLength(32);
    expect(g.kmsKeyId).toBeNull();
    expect(g.wrapped.includes(g.plaintext)).toBe(false);
    expect((await p.unwrapDataKey(c, g.wrapped, null)).equals(g.plaintext)).toBe(true);
    const g2 = await p.generateDataKey(c);
    expect(g2.plaintext.equals(g.plaintext)).toBe(false);
  });

  it('refuses another tenant, another purpose, another master key and any tampering', async () => {
    const master = randomBytes(32);
    const p = new LocalKeyProvider(master);
    const c = ctx();
    const { wrapped } = await p.generateDataKey(c);
    const attempts: Promise<unknown>[] = [
      p.unwrapDataKey(ctx(), wrapped, null),
      p.unwrapDataKey(ctx(c.tenantId, 'snapshot-key'), wrapped, null),
      new LocalKeyProvider(randomBytes(32)).unwrapDataKey(c, wrapped, null),
      p.unwrapDataKey(c, wrapped.subarray(0, 60), null),
    ];
    for (let i = 0; i < wrapped.length; i++) {
      const t = Buffer.from(wrapped);
      t[i] ^= 0x80;
      attempts.push(p.unwrapDataKey(c, t, null));
    }
    for (const a of attempts) {
      const err = await rejection(a);
      expect(err).toBeInstanceOf(CryptoError);
      expect((err as CryptoError).code).toBe(CryptoErrorCode.DecryptFailed);
    }
    // Control: the untouched wrap still opens, so the failures above are the tampering's doing.
    await expect(p.unwrapDataKey(c, wrapped, null)).resolves.toHaveLength(32);
  });

  it('rejects a tenant-owned KMS key and a master key of the wrong size', async () => {
    const p = new LocalKeyProvider(randomBytes(32));
    const err = await rejection(p.generateDataKey(ctx(), 'arn:aws:kms:us-east-1:1:key/x'));
    expect((err as CryptoError).code).toBe(CryptoErrorCode.ByokUnsupported);
    expect(() => new LocalKeyProvider(randomBytes(16))).toThrow(CryptoError);
    expect(() => new LocalKeyProvider(undefined)).toThrow(CryptoError);
  });

  it('close() zeroes its copy of the master key, not the caller’s', async () => {
    const master = randomBytes(32);
    const p = new LocalKeyProvider(master);
    p.close();
    expect(master.every((b) => b === 0)).toBe(false);
    await expect(p.checkHealth()).rejects.toBeInstanceOf(CryptoError);
  });
});
