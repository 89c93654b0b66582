import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { VectorIndexClient, type VectorIndexClientOptions } from './vector-index.client';

/** Provides VectorIndexClient for config.vectorIndex.urls. Needs APP_CONFIG. Global: import once per app. */
@Module({})
export class VectorClientModule {
  static forRoot(overrides: Partial<VectorIndexClientOptions> = {}): DynamicModule {
    return {
      global: true,
      module: VectorClientModule,
      providers: [
        {
          provide: VectorIndexClient,
          useFactory: (config: AppConfig) => VectorIndexClient.fromConfig(config, overrides),
          inject: [APP_CONFIG],
        },
      ],
      exports: [VectorIndexClient],
    };
  }
}
