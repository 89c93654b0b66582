import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { CryptoModule } from '@app/crypto';
import { DeletionModule } from '@app/deletion';
import { IndexingModule, VECTOR_INDEX_WRITER } from '@app/indexing';
import { VectorClientModule, VectorIndexClient } from '@app/vector-client';
import { StorageModule } from '@app/storage';
import { PersistenceModule, PgWrappedKeyStore } from '@app/persistence';
import { QueueModule } from '@app/queue';
import { TenantsModule } from '@app/tenants';
import { WorkerHealthController } from './health/worker-health.controller';
import { IndexProcessor } from './processors/index.processor';
import { WebhookProcessor } from './processors/webhook.processor';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { PingHandler } from './processors/ping.handler';
import { SystemProcessor } from './processors/system.processor';

@Module({})
export class IndexerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IndexerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(),
        CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } }),
        QueueModule.forRoot({ role: 'worker' }),
        TenantsModule,
        DeletionModule,
        StorageModule.forRoot(),
        VectorClientModule.forRoot(),
        IndexingModule,
      ],
      controllers: [WorkerHealthController],
      providers: [
        SystemProcessor,
        MaintenanceProcessor,
        IndexProcessor,
        WebhookProcessor,
        PingHandler,
        { provide: VECTOR_INDEX_WRITER, useExisting: VectorIndexClient },
      ],
    };
  }
}
