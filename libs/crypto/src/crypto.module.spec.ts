import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { ConfigModule, type AppConfig } from '@app/config';
import { TenantId } from '@app/contracts';
import { CryptoModule, KEY_PROVIDER } from './crypto.module';
import { EnvelopeService } from './envelope.service';
import { InMemoryWrappedKeyStore } from './in-memory-wrapped-key-store';
import { type KeyProvider } from './key-provider';
import { SnapshotCryptoService } from './snapshot-crypto.service';
import { TenantKeyService } from './tenant-key.service';

describe('CryptoModule', () => {
  it('wires the services from AppConfig and a WrappedKeyStore, and zeroes keys on shutdown', async () => {
    const config = { kms: { provider: 'local', masterKey: randomBytes(32) }, aws: { region: 'us-east-1' } } as unknown as AppConfig;
    const store = new InMemoryWrappedKeyStore();
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), CryptoModule.forRoot({ keyStore: { useValue: store }, options: { dekCacheSweepIntervalMs: 0 } })],
    }).compile();
    const app = await moduleRef.init();

    const keys = app.get(TenantKeyService);
    const envelope = app.get(EnvelopeService);
    expect(app.get(SnapshotCryptoService)).toBeInstanceOf(SnapshotCryptoService);
    expect(app.get<KeyProvider>(KEY_PROVIDER).name).toBe('local');

    const tenant = TenantId.generate();
    await keys.provisionTenant(tenant);
    expect(await store.list(tenant)).toHaveLength(1);
    const v = new Float32Array([1, 2, 3]);
    const blob = await envelope.encrypt(tenant, 'face', 'm', v);
    expect(Array.from(await envelope.decrypt(tenant, 'face', 'm', blob))).toEqual([1, 2, 3]);
    await expect(keys.checkHealth()).resolves.toBeUndefined();

    await app.close();
    await expect(keys.checkHealth()).rejects.toThrow(/closed/);
    expect(keys.stats().dekCache.size).toBe(0);
  });
});
