import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { MulterModule } from '@nestjs/platform-express';
import { AuditModule } from '@app/audit';
import { AuthGuard, AuthModule } from '@app/auth';
import { APP_CONFIG, type AppConfig, ConfigModule } from '@app/config';
import { IndexingModule } from '@app/indexing';
import { SearchModule } from '@app/search';
import { StorageModule } from '@app/storage';
import { VectorClientModule } from '@app/vector-client';
import { CryptoModule } from '@app/crypto';
import { DeletionModule } from '@app/deletion';
import { ObservabilityModule } from '@app/observability';
import { PersistenceModule, PgWrappedKeyStore } from '@app/persistence';
import { QueueModule } from '@app/queue';
import { TenantsModule } from '@app/tenants';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuditController } from './audit/audit.controller';
import { DeletionsController } from './deletions/deletions.controller';
import { FaceDataDeletionsController } from './deletions/face-data-deletions.controller';
import { IndexingController } from './indexing/indexing.controller';
import { SearchController } from './search/search.controller';
import { DiagnosticsController } from './diagnostics/diagnostics.controller';
import { PingWorkerService } from './diagnostics/ping-worker.service';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { ReadinessService } from './health/readiness.service';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { RequestContextMiddleware } from './http/request-context.middleware';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimiter } from './rate-limit/rate-limiter.service';
import { SettingsController } from './settings/settings.controller';
import { TenantsController } from './tenants/tenants.controller';

@Module({})
export class GatewayModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        PersistenceModule.forRoot(),
        CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } }),
        QueueModule.forRoot({ role: 'producer' }),
        AuditModule,
        AuthModule,
        TenantsModule,
        DeletionModule,
        StorageModule.forRoot(),
        IndexingModule,
        VectorClientModule.forRoot(),
        SearchModule,
        // Uploads are held in memory only up to the image byte limit (413 beyond it), never on disk;
        // two files at most (verify's `a` and `b`).
        MulterModule.registerAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({ limits: { fileSize: c.images.maxBytes, files: 2, fields: 20, fieldSize: 64 * 1024 } }),
        }),
      ],
      controllers: [HealthController, TenantsController, ApiKeysController, SettingsController, DiagnosticsController, DeletionsController, FaceDataDeletionsController, IndexingController, SearchController, AuditController],
      providers: [
        // Guards run in this order: who is calling, then how much they may call.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // After the guards: the key is scoped to the authenticated caller.
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        IdempotencyStore,
        RateLimiter,
        ReadinessService,
        PingWorkerService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('*path');
  }
}
