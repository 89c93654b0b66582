import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { SEALED_DATA_SETS } from '@app/contracts';
import { FaceEmbeddingsSealedSet } from './repositories/face-embeddings.sealed-set';
import { TenantSecretsSealedSet } from './repositories/tenant-secrets.sealed-set';
import { PgEmbeddingSource } from './repositories/pg-embedding.source';
import { prepareDatabase } from './database-bootstrap';
import { appDataSourceOptions } from './data-source.factory';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { AuditEventRepository } from './repositories/audit-event.repository';
import { PgWrappedKeyStore } from './repositories/pg-wrapped-key.store';
import { FaceRepository } from './repositories/face.repository';
import { FaceErasureRepository } from './repositories/face-erasure.repository';
import { DeletionRepository } from './repositories/deletion.repository';
import { IndexJobRepository } from './repositories/index-job.repository';
import { TenantRepository } from './repositories/tenant.repository';
import { TenantDb } from './tenant-db';

const REPOSITORIES = [TenantRepository, ApiKeyRepository, AuditEventRepository, PgWrappedKeyStore, FaceRepository, FaceErasureRepository, DeletionRepository, IndexJobRepository];

@Global()
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        {
          provide: DataSource,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => {
            const logger = new Logger('Persistence');
            const started = Date.now();
            const applied = await prepareDatabase(config);
            const ds = new DataSource(appDataSourceOptions(config));
            await ds.initialize();
            logger.log({ msg: 'database ready', migrationsApplied: applied.length, durationMs: Date.now() - started });
            return ds;
          },
        },
        TenantDb,
        ...REPOSITORIES,
        // Everything stored sealed under tenant keys, for key rotation (needs the global CryptoModule).
        FaceEmbeddingsSealedSet,
        TenantSecretsSealedSet,
        PgEmbeddingSource,
        {
          provide: SEALED_DATA_SETS,
          useFactory: (faces: FaceEmbeddingsSealedSet, secrets: TenantSecretsSealedSet) => [faces, secrets],
          inject: [FaceEmbeddingsSealedSet, TenantSecretsSealedSet],
        },
      ],
      exports: [DataSource, TenantDb, ...REPOSITORIES, FaceEmbeddingsSealedSet, TenantSecretsSealedSet, PgEmbeddingSource, SEALED_DATA_SETS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
