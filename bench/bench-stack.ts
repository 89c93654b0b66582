// What the in-process stack benchmarks (bench:index, bench:delete) share: a configuration of their own
// (database, Redis prefix, data folder, vector-index port) and its removal afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { type AppConfig, loadConfig } from '@app/config';

const ROOT = resolve(__dirname, '..');
const OWNER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const freePort = () =>
  new Promise<number>((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });

export interface BenchStack {
  readonly config: AppConfig;
  /** The database (dropped with its application role by dropBenchStack). */
  readonly db: string;
  readonly redisPrefix: string;
  /** Where the vector-index service must listen (VECTOR_INDEX_URLS points there). */
  readonly vectorPort: number;
}

/** A fresh database, Redis prefix and data folder on loopback; `env` adds to or overrides the rest. */
export async function benchStack(env: Record<string, string>): Promise<BenchStack> {
  const db = `facesearch_bench_${Date.now().toString(36)}`;
  const redisPrefix = `fsbench:${randomBytes(3).toString('hex')}`;
  const vectorPort = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
    DATABASE_APP_PASSWORD: 'bench-app-password-not-secret',
    REDIS_PREFIX: redisPrefix,
    FACESEARCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'facesearch-bench-')),
    FACESEARCH_MODELS_DIR: resolve(ROOT, '.cache/models'),
    RATE_LIMIT_PER_MINUTE: '1000000',
    PORT: '0',
    VECTOR_INDEX_URLS: `http://127.0.0.1:${vectorPort}`,
    ...env,
  });
  return { config, db, redisPrefix, vectorPort };
}

/** Drops the bench's database and role and deletes its Redis keys. */
export async function dropBenchStack({ config, db, redisPrefix }: BenchStack): Promise<void> {
  const c = new Client({ connectionString: OWNER_URL });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await c.query(`DROP ROLE IF EXISTS "${db}_app"`);
  await c.end();
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
