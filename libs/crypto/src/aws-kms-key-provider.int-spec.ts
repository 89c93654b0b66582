import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { TenantId } from '@app/contracts';
import { motoUrl } from '@app/testing';
import { AwsKmsKeyProvider } from './aws-kms-key-provider';
import { createCrypto } from './create-crypto';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { InMemoryWrappedKeyStore } from './in-memory-wrapped-key-store';
import { TENANT_DATA_KEY_PURPOSE } from './key-provider';
import { rejection, vector } from './spec-helpers';

// Real SDK calls over HTTP to moto's KMS (server mode), fake credentials, loopback only.
const endpoint = motoUrl();
if (new URL(endpoint).hostname !== '127.0.0.1') throw new Error(`FACESEARCH_TEST_MOTO_URL must point at 127.0.0.1, got ${endpoint}`);
const region = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const admin = new KMSClient({ region, endpoint, credentials });

async function createCmk(): Promise<string> {
  const out = await admin.send(new CreateKeyCommand({ Description: `facesearch test ${randomUUID()}` }));
  return out.KeyMetadata!.Arn!;
}

const keyState = async (keyId: string) => (await admin.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState;
const ctx = (tenantId: TenantId, purpose = TENANT_DATA_KEY_PURPOSE) => ({ tenantId, purpose });
const codeOf = async (p: Promise<unknown>) => {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(CryptoError);
  return (err as CryptoError).code;
};

describe('AwsKmsKeyProvider against moto', () => {
  let sharedArn: string;
  let provider: AwsKmsKeyProvider;

  beforeAll(async () => {
    sharedArn = await createCmk();
    provider = AwsKmsKeyProvider.fromConfig({
      kms: { provider: 'aws-kms', keyId: sharedArn, endpoint },
      aws: { region, accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  afterAll(() => {
    provider.close();
    admin.destroy();
  });

  it('generates an AES-256 data key under the shared CMK and unwraps it with the same context', async () => {
    const tenant = TenantId.generate();
    const g = await provider.generateDataKey(ctx(tenant));
    expect(g.plaintext).toHaveLength(32);
    expect(g.kmsKeyId).toBe(sharedArn);
    expect(g.wrapped.includes(g.plaintext)).toBe(false);
    const unwrapped = await provider.unwrapDataKey(ctx(tenant), g.wrapped, g.kmsKeyId);
    expect(unwrapped.equals(g.plaintext)).toBe(true);
    await expect(provider.checkHealth()).resolves.toBeUndefined();
  });

  it('refuses a wrong encryption context: another purpose, or a tenant-A DEK unwrapped for tenant B', async () => {
    const tenantA = TenantId.generate();
    const tenantB = TenantId.generate();
    const g = await provider.generateDataKey(ctx(tenantA));
    expect(await codeOf(provider.unwrapDataKey(ctx(tenantA, 'snapshot-key'), g.wrapped, sharedArn))).toBe(CryptoErrorCode.DecryptFailed);
    expect(await codeOf(provider.unwrapDataKey(ctx(tenantB), g.wrapped, sharedArn))).toBe(CryptoErrorCode.DecryptFailed);
    // Control: the right context still opens it.
    await expect(provider.unwrapDataKey(ctx(tenantA), g.wrapped, sharedArn)).resolves.toHaveLength(32);
  });

  it('end to end: tenant B cannot open tenant A data, and cache misses coalesce into one KMS Decrypt', async () => {
    const store = new InMemoryWrappedKeyStore();
    const crypto = createCrypto({ keyStore: store, provider, options: { dekCacheSweepIntervalMs: 0 } });
    const tenantA = TenantId.generate();
    const tenantB = TenantId.generate();
    await crypto.keys.provisionTenant(tenantA);
    await crypto.keys.provisionTenant(tenantB);
    const blobs = await Promise.all(Array.from({ length: 50 }, (_, i) => crypto.envelope.encrypt(tenantA, `f${i}`, 'm', vector(512, i))));
    expect(await codeOf(crypto.envelope.decrypt(tenantB, 'f0', 'm', blobs[0]))).toBe(CryptoErrorCode.DecryptFailed);

    // Tenant A's wrapped DEK copied under tenant B's id: KMS refuses it (EncryptionContext).
    const [aKey] = await store.list(tenantA);
    const thief = new InMemoryWrappedKeyStore();
    await thief.insertIfAbsent({ ...aKey, tenantId: tenantB });
    const stolen = createCrypto({ keyStore: thief, provider, options: { dekCacheSweepIntervalMs: 0 } });
    expect(await codeOf(stolen.envelope.decrypt(tenantB, 'f0', 'm', blobs[0]))).toBe(CryptoErrorCode.DecryptFailed);

    crypto.keys.evictTenant(tenantA);
    const before = crypto.keys.stats().kmsCalls.unwrapDataKey;
    const requestsBefore = provider.requestCount();
    const out = await Promise.all(blobs.map((b, i) => crypto.envelope.decrypt(tenantA, `f${i}`, 'm', b)));
    expect(out[7][5]).toBe(vector(512, 7)[5]);
    expect(crypto.keys.stats().kmsCalls.unwrapDataKey - before).toBe(1);
    // One unwrap = DescribeKey (key-state check) + Decrypt on the wire.
    expect(provider.requestCount() - requestsBefore).toBe(2);
  });

  it('BYOK: a tenant with its own CMK gets DEKs wrapped under it, not under the shared key', async () => {
    const ownArn = await createCmk();
    const crypto = createCrypto({ keyStore: new InMemoryWrappedKeyStore(), provider, options: { dekCacheSweepIntervalMs: 0 } });
    const tenant = TenantId.generate();
    const info = await crypto.keys.provisionTenant(tenant, { kmsKeyId: ownArn });
    expect(info).toMatchObject({ keyOwner: 'tenant', kmsKeyId: ownArn, provider: 'aws-kms' });
    const rotated = await crypto.keys.rotate(tenant);
    const versions = await crypto.keys.listVersions(tenant);
    expect(versions.map((v) => v.kmsKeyId)).toEqual([ownArn, ownArn]);
    expect(rotated.version).toBe(2);

    const g = await provider.generateDataKey(ctx(tenant), ownArn);
    expect(g.kmsKeyId).toBe(ownArn);
    // Pinning the shared CMK on Decrypt refuses a DEK the tenant's key wrapped.
    await expect(provider.unwrapDataKey(ctx(tenant), g.wrapped, sharedArn)).rejects.toBeInstanceOf(CryptoError);
    await expect(provider.unwrapDataKey(ctx(tenant), g.wrapped, ownArn)).resolves.toHaveLength(32);
  });

  it('shredding a BYOK tenant schedules deletion of its CMK; kept ciphertext and backed-up wrapped DEKs no longer open', async () => {
    const ownArn = await createCmk();
    const store = new InMemoryWrappedKeyStore();
    const crypto = createCrypto({ keyStore: store, provider, options: { dekCacheSweepIntervalMs: 0 } });
    const tenant = TenantId.generate();
    const bystander = TenantId.generate();
    await crypto.keys.provisionTenant(tenant, { kmsKeyId: ownArn });
    await crypto.keys.provisionTenant(bystander);
    const kept = await crypto.envelope.encrypt(tenant, 'face', 'm', vector());
    const keptOther = await crypto.envelope.encrypt(bystander, 'face', 'm', vector());
    const backup = await store.list(tenant);

    const result = await crypto.keys.shredTenant(tenant);
    expect(result).toEqual({ versionsDestroyed: [1], kmsKeysScheduledForDeletion: [ownArn], deletionWindowDays: 7 });
    expect(await keyState(ownArn)).toBe('PendingDeletion');
    expect(await keyState(sharedArn)).toBe('Enabled');

    expect(await codeOf(crypto.envelope.decrypt(tenant, 'face', 'm', kept))).toBe(CryptoErrorCode.KeyDestroyed);
    // A restored backup of the wrapped DEK is useless: its CMK is pending deletion.
    const restored = new InMemoryWrappedKeyStore();
    for (const r of backup) await restored.insertIfAbsent(r);
    const fromBackup = createCrypto({ keyStore: restored, provider, options: { dekCacheSweepIntervalMs: 0 } });
    expect(await codeOf(fromBackup.envelope.decrypt(tenant, 'face', 'm', kept))).toBe(CryptoErrorCode.KeyDestroyed);
    expect(await codeOf(provider.unwrapDataKey(ctx(tenant), backup[0].wrappedKey!, ownArn))).toBe(CryptoErrorCode.KeyDestroyed);

    await expect(crypto.envelope.decrypt(bystander, 'face', 'm', keptOther)).resolves.toHaveLength(512);
    // Idempotent: a re-run (after a KMS outage) finds the key already pending.
    expect((await crypto.keys.shredTenant(tenant)).kmsKeysScheduledForDeletion).toEqual([ownArn]);
  });

  it('never schedules deletion of the shared CMK', async () => {
    expect(await provider.scheduleKeyDeletion(sharedArn, 7)).toBe('refused_shared_key');
    expect(await keyState(sharedArn)).toBe('Enabled');
  });

  it('a disabled CMK fails closed with kms_unavailable', async () => {
    const ownArn = await createCmk();
    const tenant = TenantId.generate();
    const g = await provider.generateDataKey(ctx(tenant), ownArn);
    await admin.send(new DisableKeyCommand({ KeyId: ownArn.split('/').pop() }));
    expect(await codeOf(provider.unwrapDataKey(ctx(tenant), g.wrapped, ownArn))).toBe(CryptoErrorCode.KmsUnavailable);
    expect(await codeOf(provider.generateDataKey(ctx(tenant), ownArn))).toBe(CryptoErrorCode.KmsUnavailable);
  });

  it('an unreachable KMS fails closed with kms_unavailable (HTTP 503), quickly', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dead = new AwsKmsKeyProvider({ region, endpoint: `http://127.0.0.1:${port}`, credentials, defaultKeyId: sharedArn, maxAttempts: 1 });
    const started = Date.now();
    const err = (await rejection(dead.unwrapDataKey(ctx(TenantId.generate()), Buffer.alloc(64), null))) as CryptoError;
    expect(err.code).toBe(CryptoErrorCode.KmsUnavailable);
    expect(err.kind).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(dead.checkHealth()).rejects.toMatchObject({ code: CryptoErrorCode.KmsUnavailable });
    dead.close();
  });
});
