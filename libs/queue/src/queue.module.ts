import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { type Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { JobProducer } from './job-producer';
import { ALL_QUEUES } from './job-queues';
import { REDIS, redisProvider } from './redis.provider';
import { redisOptionsFromUrl } from './redis-options';

export interface QueueModuleOptions {
  /** Workers block on Redis and must retry forever; producers must fail fast (enqueue → 503). */
  role: 'producer' | 'worker';
}

@Global()
@Module({})
export class QueueModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot(options: QueueModuleOptions): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            prefix: `${config.redis.prefix}:bull`,
            connection: {
              ...redisOptionsFromUrl(config.redis.url),
              ...(options.role === 'producer'
                ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
                : { maxRetriesPerRequest: null }),
            },
          }),
        }),
        BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
      ],
      providers: [redisProvider, JobProducer],
      exports: [REDIS, JobProducer, BullModule],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
