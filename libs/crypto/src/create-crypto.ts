import { type AppConfig } from '@app/config';
import { AwsKmsKeyProvider } from './aws-kms-key-provider';
import { type CryptoOptions, resolveCryptoOptions } from './crypto.options';
import { DekCache } from './dek-cache';
import { EnvelopeService } from './envelope.service';
import { type KeyProvider } from './key-provider';
import { LocalKeyProvider } from './local-key-provider';
import { SnapshotCryptoService } from './snapshot-crypto.service';
import { TenantKeyService } from './tenant-key.service';
import { TenantKeyring } from './tenant-keyring';
import { type WrappedKeyStore } from './wrapped-key-store';

/** The provider AppConfig selects (`kms.provider`). */
export function createKeyProvider(config: Pick<AppConfig, 'kms' | 'aws'>, options: Partial<CryptoOptions> = {}): KeyProvider {
  const o = resolveCryptoOptions(options);
  if (config.kms.provider === 'local') return new LocalKeyProvider(config.kms.masterKey);
  return AwsKmsKeyProvider.fromConfig(config, {
    requestTimeoutMs: o.kmsRequestTimeoutMs,
    maxAttempts: o.kmsMaxAttempts,
    verifyKeyState: o.verifyKmsKeyState,
  });
}

export interface CryptoServices {
  readonly envelope: EnvelopeService;
  readonly snapshots: SnapshotCryptoService;
  readonly keys: TenantKeyService;
  readonly provider: KeyProvider;
  /** Zeroes every cached DEK and the provider's key material, stops the cache sweeper. */
  close(): void;
}

/** The lib without Nest (benches, scripts, tests); CryptoModule wires the same pieces. */
export function createCrypto(deps: {
  keyStore: WrappedKeyStore;
  provider: KeyProvider;
  options?: Partial<CryptoOptions>;
}): CryptoServices {
  const keyring = createKeyring(deps.keyStore, deps.provider, resolveCryptoOptions(deps.options));
  return {
    envelope: new EnvelopeService(keyring),
    snapshots: new SnapshotCryptoService(keyring),
    keys: new TenantKeyService(keyring),
    provider: deps.provider,
    close: () => keyring.close(),
  };
}

export function createKeyring(store: WrappedKeyStore, provider: KeyProvider, options: CryptoOptions): TenantKeyring {
  const cache = new DekCache({
    ttlMs: options.dekCacheTtlMs,
    maxEntries: options.dekCacheMaxEntries,
    sweepIntervalMs: options.dekCacheSweepIntervalMs,
    now: options.now,
  });
  return new TenantKeyring(store, provider, cache, options);
}
