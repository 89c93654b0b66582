import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '@app/config';
import { VectorIndexHealthController } from './vector-index-health.controller';

/** The per-tenant HNSW service. Index routes arrive with the index-and-search issue. */
@Module({})
export class VectorIndexModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: VectorIndexModule, imports: [ConfigModule.forRoot(config)], controllers: [VectorIndexHealthController] };
  }
}
