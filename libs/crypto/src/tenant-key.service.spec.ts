import { randomBytes } from 'node:crypto';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { type DataKeyContext, type GeneratedDataKey, type KeyProvider, type ScheduleDeletionOutcome } from './key-provider';
import { LocalKeyProvider } from './local-key-provider';
import { harness, newTenant, rejection, vector } from './spec-helpers';

const MODEL = 'm1';

/** A KMS stand-in: one local wrapper per KMS key id, call log, optional latency and outage. */
class FakeKms implements KeyProvider {
  readonly name = 'aws-kms' as const;
  readonly defaultKeyId = 'arn:shared';
  readonly keys = new Map<string, LocalKeyProvider>([['arn:shared', new LocalKeyProvider(randomBytes(32))]]);
  readonly log: string[] = [];
  latencyMs = 0;
  down = false;

  async generateDataKey(ctx: DataKeyContext, kmsKeyId?: string): Promise<GeneratedDataKey> {
    const id = await this.call('generate', kmsKeyId ?? this.defaultKeyId);
    const g = await this.keys.get(id)!.generateDataKey(ctx);
    return { ...g, kmsKeyId: id };
  }
  async unwrapDataKey(ctx: DataKeyContext, wrapped: Buffer, kmsKeyId: string | null): Promise<Buffer> {
    const id = await this.call('unwrap', kmsKeyId ?? this.defaultKeyId);
    return this.keys.get(id)!.unwrapDataKey(ctx, wrapped);
  }
  async scheduleKeyDeletion(kmsKeyId: string): Promise<ScheduleDeletionOutcome> {
    await this.call('schedule', kmsKeyId);
    return 'scheduled';
  }
  async checkHealth(): Promise<void> {}
  close(): void {}
  private async call(op: string, id: string): Promise<string> {
    this.log.push(`${op} ${id}`);
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.down) throw new CryptoError(CryptoErrorCode.KmsUnavailable, 'KMS is unavailable');
    if (!this.keys.has(id)) this.keys.set(id, new LocalKeyProvider(randomBytes(32)));
    return id;
  }
}

describe('TenantKeyService', () => {
  it('provisionTenant is idempotent and stores only the wrapped DEK', async () => {
    const h = harness();
    const tenant = newTenant();
    const first = await h.keys.provisionTenant(tenant);
    const again = await h.keys.provisionTenant(tenant);
    expect(first).toMatchObject({ version: 1, current: true, provider: 'local', keyOwner: 'shared', kmsKeyId: null });
    expect(again.version).toBe(1);
    const rows = await h.store.list(tenant);
    expect(rows).toHaveLength(1);
    expect(rows[0].wrappedKey).toHaveLength(61);
  });

  it('rotate makes a new current version; old blobs keep opening until the version is destroyed', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const v1Blob = await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    expect(await h.keys.rotate(tenant)).toEqual({ version: 2, previousVersion: 1 });
    const v2Blob = await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    expect(h.envelope.keyVersionOf(v2Blob)).toBe(2);
    await expect(h.envelope.decrypt(tenant, 'f', MODEL, v1Blob)).resolves.toHaveLength(512);

    const inUse = await rejection(h.keys.destroyVersion(tenant, 2));
    expect((inUse as CryptoError).code).toBe(CryptoErrorCode.KeyVersionInUse);
    const unknown = await rejection(h.keys.destroyVersion(tenant, 9));
    expect((unknown as CryptoError).code).toBe(CryptoErrorCode.UnknownKeyVersion);

    await h.keys.destroyVersion(tenant, 1);
    await h.keys.destroyVersion(tenant, 1); // idempotent
    const gone = await rejection(h.envelope.decrypt(tenant, 'f', MODEL, v1Blob));
    expect((gone as CryptoError).code).toBe(CryptoErrorCode.KeyDestroyed);
    await expect(h.envelope.decrypt(tenant, 'f', MODEL, v2Blob)).resolves.toHaveLength(512);
    expect((await h.keys.listVersions(tenant)).map((v) => [v.version, v.current, v.destroyedAt !== null])).toEqual([
      [1, false, true],
      [2, true, false],
    ]);
  });

  it('another replica picks up a rotation within currentVersionTtlMs', async () => {
    const h = harness({ currentVersionTtlMs: 1000 });
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const { createCrypto } = await import('./create-crypto');
    const replica = createCrypto({ keyStore: h.store, provider: h.provider, options: { currentVersionTtlMs: 1000, dekCacheSweepIntervalMs: 0, now: () => h.clock.now } });
    await replica.envelope.encrypt(tenant, 'f', MODEL, vector());
    await h.keys.rotate(tenant);
    expect(replica.envelope.keyVersionOf(await replica.envelope.encrypt(tenant, 'f', MODEL, vector()))).toBe(1);
    h.clock.now += 1001;
    expect(replica.envelope.keyVersionOf(await replica.envelope.encrypt(tenant, 'f', MODEL, vector()))).toBe(2);
  });

  it('shredTenant makes kept ciphertext undecryptable, refuses new data and zeroes cached DEKs', async () => {
    const h = harness();
    const tenant = newTenant();
    const bystander = newTenant();
    await h.keys.provisionTenant(tenant);
    await h.keys.provisionTenant(bystander);
    await h.keys.rotate(tenant);
    const kept = await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    const keptSnapshot = await (async () => {
      const s = await h.snapshots.createEncryptStream(tenant, 'snap');
      const parts: Buffer[] = [];
      s.on('data', (c: Buffer) => parts.push(c));
      s.end(randomBytes(100));
      await new Promise((r) => s.on('end', r));
      return Buffer.concat(parts);
    })();
    const other = await h.envelope.encrypt(bystander, 'f', MODEL, vector());

    const result = await h.keys.shredTenant(tenant);
    expect(result).toEqual({ versionsDestroyed: [1, 2], kmsKeysScheduledForDeletion: [], deletionWindowDays: 7 });
    expect((await h.store.list(tenant)).every((r) => r.wrappedKey === null && r.destroyedAt !== null)).toBe(true);

    for (const attempt of [
      h.envelope.decrypt(tenant, 'f', MODEL, kept),
      h.envelope.encrypt(tenant, 'f', MODEL, vector()),
      h.keys.provisionTenant(tenant),
      h.keys.rotate(tenant),
    ]) {
      expect(((await rejection(attempt)) as CryptoError).code).toBe(CryptoErrorCode.KeyDestroyed);
    }
    const snapErr = await new Promise<unknown>((resolve) => {
      const d = h.snapshots.createDecryptStream(tenant, 'snap');
      d.on('error', resolve).on('data', () => undefined).on('end', () => resolve(undefined));
      d.end(keptSnapshot);
    });
    expect((snapErr as CryptoError).code).toBe(CryptoErrorCode.KeyDestroyed);
    await expect(h.envelope.decrypt(bystander, 'f', MODEL, other)).resolves.toHaveLength(512);
    expect(await h.keys.shredTenant(tenant)).toMatchObject({ versionsDestroyed: [] }); // idempotent
  });

  it('zero-fills the tenant’s cached DEKs on shred', async () => {
    const h = harness();
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    // Reach into the cache the way an attacker with a heap dump would.
    const cached = (h.envelope as unknown as { keyring: { cache: { get(t: string, v: number): Buffer | undefined } } }).keyring.cache.get(tenant, 1)!;
    expect(cached.every((b) => b === 0)).toBe(false);
    await h.keys.shredTenant(tenant);
    expect(cached.every((b) => b === 0)).toBe(true);
  });

  it('BYOK: wraps under the tenant’s own key, keeps it across rotations and schedules its deletion on shred', async () => {
    const kms = new FakeKms();
    const h = harness({}, kms);
    const byok = newTenant();
    const shared = newTenant();
    const v1 = await h.keys.provisionTenant(byok, { kmsKeyId: 'arn:tenant-own' });
    await h.keys.provisionTenant(shared);
    expect(v1).toMatchObject({ keyOwner: 'tenant', kmsKeyId: 'arn:tenant-own', provider: 'aws-kms' });
    await h.keys.rotate(byok);
    expect((await h.keys.listVersions(byok)).map((v) => v.kmsKeyId)).toEqual(['arn:tenant-own', 'arn:tenant-own']);
    expect(kms.log).toEqual(['generate arn:tenant-own', 'generate arn:shared', 'generate arn:tenant-own']);

    expect((await h.keys.shredTenant(shared)).kmsKeysScheduledForDeletion).toEqual([]);
    const result = await h.keys.shredTenant(byok);
    expect(result.kmsKeysScheduledForDeletion).toEqual(['arn:tenant-own']);
    expect(kms.log.filter((l) => l.startsWith('schedule'))).toEqual(['schedule arn:tenant-own']);
  });

  it('coalesces a burst of cache misses into one KMS call and counts calls', async () => {
    const kms = new FakeKms();
    kms.latencyMs = 20;
    const h = harness({}, kms);
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const blobs = await Promise.all(Array.from({ length: 200 }, (_, i) => h.envelope.encrypt(tenant, `f${i}`, MODEL, vector())));
    h.keys.evictTenant(tenant);
    kms.log.length = 0;
    await Promise.all(blobs.map((b, i) => h.envelope.decrypt(tenant, `f${i}`, MODEL, b)));
    expect(kms.log).toEqual([`unwrap arn:shared`]);
    expect(h.keys.stats().kmsCalls).toEqual({ generateDataKey: 1, unwrapDataKey: 1, scheduleKeyDeletion: 0, total: 2 });
  });

  it('KMS down: fails closed with kms_unavailable (503) and recovers when it is back', async () => {
    const kms = new FakeKms();
    const h = harness({}, kms);
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const blob = await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    h.keys.evictTenant(tenant);
    kms.down = true;
    const err = (await rejection(h.envelope.decrypt(tenant, 'f', MODEL, blob))) as CryptoError;
    expect(err.code).toBe(CryptoErrorCode.KmsUnavailable);
    expect(err.kind).toBe('unavailable');
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    kms.down = false;
    await expect(h.envelope.decrypt(tenant, 'f', MODEL, blob)).resolves.toHaveLength(512);
  });

  it('a DEK cached past its TTL is unwrapped again', async () => {
    const kms = new FakeKms();
    const h = harness({ dekCacheTtlMs: 1000 }, kms);
    const tenant = newTenant();
    await h.keys.provisionTenant(tenant);
    const blob = await h.envelope.encrypt(tenant, 'f', MODEL, vector());
    await h.envelope.decrypt(tenant, 'f', MODEL, blob);
    expect(h.keys.stats().kmsCalls.unwrapDataKey).toBe(0);
    h.clock.now += 1000;
    await h.envelope.decrypt(tenant, 'f', MODEL, blob);
    expect(h.keys.stats().kmsCalls.unwrapDataKey).toBe(1);
  });
});
