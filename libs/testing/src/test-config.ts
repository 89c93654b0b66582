import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, loadConfig } from '@app/config';
import { testServices } from './test-env';

/**
 * A full AppConfig wired to this run's services, with fresh secrets and data folder. Every app a
 * test starts gets its own Redis prefix unless one is given, so queues of parallel suites never mix.
 */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const svc = testServices();
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: svc.databaseUrl,
    // Same for every suite of the run: the role is shared by all of them.
    DATABASE_APP_PASSWORD: 'test-app-password-not-secret',
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: svc.redisUrl,
    REDIS_PREFIX: `${svc.redisPrefix}:${randomBytes(4).toString('hex')}`,
    FACESEARCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'facesearch-test-')),
    FACESEARCH_OPERATOR_TOKEN: `op_${randomBytes(24).toString('base64url')}`,
    FACESEARCH_MASTER_KEY: randomBytes(32).toString('base64'),
    AWS_KMS_ENDPOINT: svc.motoUrl,
    AWS_S3_ENDPOINT: svc.motoUrl,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    PORT: '0',
    ...overrides,
  });
}
