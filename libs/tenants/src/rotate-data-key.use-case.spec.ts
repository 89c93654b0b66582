import { randomBytes } from 'node:crypto';
import { type TenantId, TenantId as Ids } from '@app/contracts';
import { type AuditInput, type AuditService } from '@app/audit';
import { createCrypto, InMemoryWrappedKeyStore, LocalKeyProvider, type CryptoServices } from '@app/crypto';
import { CompleteDataKeyRotation } from './rotate-data-key.use-case';
import { type SealedDataSet } from '@app/contracts';

/** Embeddings sealed in memory, re-sealed the way a repository would do it. */
class FakeEmbeddings implements SealedDataSet {
  readonly name = 'embeddings';
  readonly blobs = new Map<string, Buffer>();
  constructor(private readonly crypto: CryptoServices) {}

  async reencryptBatch(tenantId: TenantId, version: number, batchSize: number): Promise<number> {
    const stale = [...this.blobs].filter(([, b]) => this.crypto.envelope.keyVersionOf(b) < version).slice(0, batchSize);
    for (const [faceId, blob] of stale) this.blobs.set(faceId, await this.crypto.envelope.reencrypt(tenantId, blob, faceId, 'm@1'));
    return stale.length;
  }
}

describe('CompleteDataKeyRotation', () => {
  const vector = Float32Array.from({ length: 512 }, (_, i) => i / 512);
  let crypto: CryptoServices;
  beforeEach(() => {
    crypto = createCrypto({ keyStore: new InMemoryWrappedKeyStore(), provider: new LocalKeyProvider(randomBytes(32)) });
  });
  afterEach(() => crypto.close());

  it('re-seals every item in batches, then destroys the old version, and audits it', async () => {
    const tenant = Ids.generate();
    await crypto.keys.provisionTenant(tenant);
    const set = new FakeEmbeddings(crypto);
    for (let i = 0; i < 7; i++) set.blobs.set(`f${i}`, await crypto.envelope.encrypt(tenant, `f${i}`, 'm@1', vector));
    const oldCopy = set.blobs.get('f0')!;
    const { version, previousVersion } = await crypto.keys.rotate(tenant);

    const audited: AuditInput[] = [];
    const audit = { recordAlone: async (_t: TenantId, input: AuditInput) => void audited.push(input) } as unknown as AuditService;
    const progress: number[] = [];
    const useCase = new CompleteDataKeyRotation(crypto.keys, audit, [set]);
    const result = await useCase.execute(
      { tenantId: tenant, version, previousVersion, requestedByKeyId: 'k', requestId: null },
      async (p) => void progress.push(p.reencrypted),
      3,
    );

    expect(result).toEqual({ reencrypted: 7, destroyedVersion: 1 });
    expect(progress).toEqual([3, 6, 7]);
    for (const [faceId, blob] of set.blobs) {
      expect(crypto.envelope.keyVersionOf(blob)).toBe(2);
      expect(Array.from(await crypto.envelope.decrypt(tenant, faceId, 'm@1', blob))).toEqual(Array.from(vector));
    }
    const versions = await crypto.keys.listVersions(tenant);
    expect(versions.find((v) => v.version === 1)?.destroyedAt).toBeInstanceOf(Date);
    expect(versions.find((v) => v.version === 2)?.current).toBe(true);
    await expect(crypto.envelope.decrypt(tenant, 'f0', 'm@1', oldCopy)).rejects.toMatchObject({ code: 'key_destroyed' });
    expect(audited.map((a) => [a.action, a.details?.reencrypted])).toEqual([['data_key.rotation_completed', 7]]);
  });

  it('is safe to run again (a retried job): nothing left to re-seal, nothing more destroyed', async () => {
    const tenant = Ids.generate();
    await crypto.keys.provisionTenant(tenant);
    const { version, previousVersion } = await crypto.keys.rotate(tenant);
    const audit = { recordAlone: async () => undefined } as unknown as AuditService;
    const useCase = new CompleteDataKeyRotation(crypto.keys, audit, []);
    const job = { tenantId: tenant, version, previousVersion, requestedByKeyId: 'k', requestId: null };
    await useCase.execute(job, async () => undefined);
    await expect(useCase.execute(job, async () => undefined)).resolves.toEqual({ reencrypted: 0, destroyedVersion: 1 });
  });
});
