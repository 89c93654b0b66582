import {
  type ClassProvider,
  type DynamicModule,
  type ExistingProvider,
  type FactoryProvider,
  Module,
  type ModuleMetadata,
  type ValueProvider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { type AppConfig, ConfigModule } from '@app/config';
import { StorageModule } from '@app/storage';
import { EMBEDDING_SOURCE, type EmbeddingSource } from './embedding-source';
import { IndexController } from './http/index.controller';
import { ProblemFilter } from './http/problem.filter';
import { TenantIndexService } from './tenants/tenant-index.service';
import { VectorIndexHealthController } from './vector-index-health.controller';
import { resolveVectorIndexOptions, VECTOR_INDEX_OPTIONS, type VectorIndexOptions } from './vector-index.options';

type Without<P> = Omit<P, 'provide'>;
/** How to build the EmbeddingSource, e.g. `{ useExisting: PgEmbeddingSource }` or `{ useValue: new InMemoryEmbeddingSource() }`. */
export type EmbeddingSourceProvider =
  | Without<ClassProvider<EmbeddingSource>>
  | Without<ExistingProvider<EmbeddingSource>>
  | Without<ValueProvider<EmbeddingSource>>
  | Without<FactoryProvider<EmbeddingSource>>;

export interface VectorIndexModuleOptions {
  /** Provided as EMBEDDING_SOURCE: the database the indexes are built from. */
  embeddingSource: EmbeddingSourceProvider;
  /**
   * Modules the embedding source needs, and CryptoModule.forRoot(...) (global: the service needs
   * SnapshotCryptoService), e.g. `[PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } })]`.
   */
  imports?: ModuleMetadata['imports'];
  /** Providers the embedding source needs that no imported module exports (e.g. a PgEmbeddingSource class). */
  providers?: ModuleMetadata['providers'];
  options?: Partial<VectorIndexOptions>;
}

/** The per-tenant HNSW service: internal index API + health. Blob storage comes from config.storage. */
@Module({})
export class VectorIndexModule {
  static forRoot(config: AppConfig, moduleOptions: VectorIndexModuleOptions): DynamicModule {
    const options = resolveVectorIndexOptions({ largeIndex: config.vectorIndex.largeIndex, ...moduleOptions.options });
    return {
      module: VectorIndexModule,
      imports: [ConfigModule.forRoot(config), StorageModule.forRoot(), ...(moduleOptions.imports ?? [])],
      controllers: [VectorIndexHealthController, IndexController],
      providers: [
        { provide: VECTOR_INDEX_OPTIONS, useValue: options },
        { provide: EMBEDDING_SOURCE, ...moduleOptions.embeddingSource } as ClassProvider | ExistingProvider | ValueProvider | FactoryProvider,
        ...(moduleOptions.providers ?? []),
        { provide: APP_FILTER, useClass: ProblemFilter },
        TenantIndexService,
      ],
      exports: [TenantIndexService],
    };
  }
}
