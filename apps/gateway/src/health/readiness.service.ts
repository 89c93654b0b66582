import { Inject, Injectable } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { TenantKeyService } from '@app/crypto';
import { TenantDb } from '@app/persistence';
import { REDIS } from '@app/queue';

export type CheckStatus = 'up' | 'down';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/** Can this gateway serve requests: Postgres, Redis and the key provider answer within a second. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly db: TenantDb,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly dataKeys: TenantKeyService,
  ) {}

  async check(): Promise<{ ready: boolean; checks: Record<string, CheckStatus> }> {
    const probe = async (fn: () => Promise<unknown>): Promise<CheckStatus> => {
      try {
        await withTimeout(fn(), 1000);
        return 'up';
      } catch {
        return 'down';
      }
    };
    const [postgres, redis, kms] = await Promise.all([
      probe(() => this.db.query('SELECT 1')),
      probe(() => this.redis.ping()),
      probe(() => this.dataKeys.checkHealth()),
    ]);
    const checks = { postgres, redis, kms };
    return { ready: Object.values(checks).every((s) => s === 'up'), checks };
  }
}
