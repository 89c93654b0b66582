import { type Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { redisOptionsFromUrl } from './redis-options';

/** Injection token of the shared, non-blocking Redis client (rate limits, readiness). */
export const REDIS = Symbol('REDIS');

/**
 * Fails fast instead of queueing commands while disconnected: callers (rate limiting, enqueueing)
 * must see an outage at once and answer 503 rather than hang or let traffic through.
 */
export const redisProvider: Provider = {
  provide: REDIS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    new Redis({
      ...redisOptionsFromUrl(config.redis.url),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
    }),
};
