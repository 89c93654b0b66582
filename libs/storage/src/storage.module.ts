import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { BLOB_STORE, type BlobStore } from './blob-store';
import { createBlobStore } from './create-blob-store';

/**
 * Provides BLOB_STORE (a BlobStore) as config.storage describes. Needs APP_CONFIG (ConfigModule.forRoot).
 * Global: import forRoot once per app. Tests may pass their own store: `StorageModule.forRoot(store)`.
 */
@Module({})
export class StorageModule {
  static forRoot(store?: BlobStore): DynamicModule {
    return {
      global: true,
      module: StorageModule,
      providers: [
        store
          ? { provide: BLOB_STORE, useValue: store }
          : { provide: BLOB_STORE, useFactory: (config: AppConfig): BlobStore => createBlobStore(config), inject: [APP_CONFIG] },
      ],
      exports: [BLOB_STORE],
    };
  }
}
