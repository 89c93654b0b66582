import {
  type ClassProvider,
  type DynamicModule,
  type ExistingProvider,
  type FactoryProvider,
  Module,
  type ModuleMetadata,
  type OnModuleDestroy,
  type ValueProvider,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { createKeyProvider, createKeyring } from './create-crypto';
import { type CryptoOptions, resolveCryptoOptions } from './crypto.options';
import { EnvelopeService } from './envelope.service';
import { type KeyProvider } from './key-provider';
import { SnapshotCryptoService } from './snapshot-crypto.service';
import { TenantKeyService } from './tenant-key.service';
import { TenantKeyring } from './tenant-keyring';
import { type WrappedKeyStore } from './wrapped-key-store';

/** Injection token of the WrappedKeyStore port (the Postgres adapter in the product). */
export const WRAPPED_KEY_STORE = Symbol('WRAPPED_KEY_STORE');
/** Injection token of the configured KeyProvider (local or aws-kms). */
export const KEY_PROVIDER = Symbol('KEY_PROVIDER');
export const CRYPTO_OPTIONS = Symbol('CRYPTO_OPTIONS');

type Without<P> = Omit<P, 'provide'>;
export type WrappedKeyStoreProvider =
  | Without<ClassProvider<WrappedKeyStore>>
  | Without<ExistingProvider<WrappedKeyStore>>
  | Without<ValueProvider<WrappedKeyStore>>
  | Without<FactoryProvider<WrappedKeyStore>>;

export interface CryptoModuleOptions {
  /** How to build the WrappedKeyStore, e.g. `{ useExisting: PgWrappedKeyStore }` or `{ useValue: new InMemoryWrappedKeyStore() }`. */
  keyStore: WrappedKeyStoreProvider;
  /** Modules the key store needs (e.g. the persistence module). */
  imports?: ModuleMetadata['imports'];
  options?: Partial<CryptoOptions>;
}

/** Zeroes cached DEKs and the provider's key material when the app shuts down. */
class KeyringLifecycle implements OnModuleDestroy {
  constructor(private readonly keyring: TenantKeyring) {}
  onModuleDestroy(): void {
    this.keyring.close();
  }
}

/**
 * Provides EnvelopeService, SnapshotCryptoService, TenantKeyService and KEY_PROVIDER. Needs APP_CONFIG
 * (ConfigModule.forRoot) and a WrappedKeyStore. Global: import forRoot once per app, so every use case
 * shares one DEK cache (one KMS call per key, not one per importing module).
 */
@Module({})
export class CryptoModule {
  static forRoot(moduleOptions: CryptoModuleOptions): DynamicModule {
    const options = resolveCryptoOptions(moduleOptions.options);
    return {
      global: true,
      module: CryptoModule,
      imports: moduleOptions.imports ?? [],
      providers: [
        { provide: CRYPTO_OPTIONS, useValue: options },
        { provide: WRAPPED_KEY_STORE, ...moduleOptions.keyStore } as ClassProvider | ExistingProvider | ValueProvider | FactoryProvider,
        {
          provide: KEY_PROVIDER,
          useFactory: (config: AppConfig, o: CryptoOptions): KeyProvider => createKeyProvider(config, o),
          inject: [APP_CONFIG, CRYPTO_OPTIONS],
        },
        {
          provide: TenantKeyring,
          useFactory: (store: WrappedKeyStore, provider: KeyProvider, o: CryptoOptions) => createKeyring(store, provider, o),
          inject: [WRAPPED_KEY_STORE, KEY_PROVIDER, CRYPTO_OPTIONS],
        },
        { provide: KeyringLifecycle, useFactory: (k: TenantKeyring) => new KeyringLifecycle(k), inject: [TenantKeyring] },
        { provide: EnvelopeService, useFactory: (k: TenantKeyring) => new EnvelopeService(k), inject: [TenantKeyring] },
        { provide: SnapshotCryptoService, useFactory: (k: TenantKeyring) => new SnapshotCryptoService(k), inject: [TenantKeyring] },
        { provide: TenantKeyService, useFactory: (k: TenantKeyring) => new TenantKeyService(k), inject: [TenantKeyring] },
      ],
      exports: [EnvelopeService, SnapshotCryptoService, TenantKeyService, KEY_PROVIDER, CRYPTO_OPTIONS],
    };
  }
}
