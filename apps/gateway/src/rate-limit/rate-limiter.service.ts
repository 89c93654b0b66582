import { Inject, Injectable } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { REDIS } from '@app/queue';

export type RateDecision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number }
  | { allowed: false; limit: number; retryAfterSeconds: number }
  | { allowed: 'unavailable' };

/**
 * Per-credential request budget in Redis, shared by every gateway replica. No in-memory insurance
 * limiter on purpose: when Redis is unreachable the decision is "unavailable" and the caller gets
 * 503 (fail closed), never unmetered traffic.
 */
@Injectable()
export class RateLimiter {
  private readonly limiter: RateLimiterRedis;
  private readonly limit: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(REDIS) redis: Redis) {
    this.limit = config.rateLimit.perMinute;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.redis.prefix}:rl`,
      points: this.limit,
      duration: 60,
      rejectIfRedisNotReady: true,
    });
  }

  async consume(subject: string): Promise<RateDecision> {
    try {
      const res = await this.limiter.consume(subject, 1);
      return { allowed: true, limit: this.limit, remaining: res.remainingPoints, resetSeconds: Math.ceil(res.msBeforeNext / 1000) };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        return { allowed: false, limit: this.limit, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      return { allowed: 'unavailable' };
    }
  }
}
