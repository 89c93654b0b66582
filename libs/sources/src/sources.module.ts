import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { SourceFetcher } from './source-fetcher';

export interface SourcesModuleOptions {
  /** Buckets tenants may name in `s3` sources; default all the service's credentials can read. */
  readonly allowedBuckets?: readonly string[];
}

/** Provides SourceFetcher from APP_CONFIG (ConfigModule.forRoot must be imported by the app). */
@Module({})
export class SourcesModule {
  static forRoot(options: SourcesModuleOptions = {}): DynamicModule {
    return {
      module: SourcesModule,
      providers: [
        {
          provide: SourceFetcher,
          useFactory: (config: AppConfig) => SourceFetcher.fromConfig(config, { allowedBuckets: options.allowedBuckets }),
          inject: [APP_CONFIG],
        },
      ],
      exports: [SourceFetcher],
    };
  }
}
