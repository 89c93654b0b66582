// npm run bench:index — end-to-end indexing throughput (HTTP API → BullMQ → worker → face engine →
// Postgres → vector index) on LFW-size photos, then search-by-image latency through the API.
// Everything runs in this process on loopback against the local Postgres and Redis, with a database
// and Redis prefix of its own (dropped afterwards). Prints one JSON object.
//   --images N (default 400)  --searches N (default 100)  --concurrency N (HTTP, default 16)
//   --workers N (face-engine threads, default 2)  --jobs N (index jobs in flight, default 8)
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { createServer } from 'node:net';
import { loadConfig } from '@app/config';
import { CryptoModule } from '@app/crypto';
import { PersistenceModule, PgEmbeddingSource, PgWrappedKeyStore } from '@app/persistence';
import { createLogger, NestPinoLogger } from '@app/observability';
import { createGatewayApp } from '../apps/gateway/src/create-gateway-app';
import { IndexerModule } from '../apps/indexer/src/indexer.module';
import { createVectorIndexApp } from '../apps/vector-index/src/create-vector-index-app';

const freePort = () =>
  new Promise<number>((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const IMAGES = arg('images', 400);
const SEARCHES = arg('searches', 100);
const CONCURRENCY = arg('concurrency', 16);
const WORKERS = arg('workers', 2);
// More jobs in flight than engine threads, so fetching, sealing and writing overlap inference.
const JOBS = arg('jobs', 8);
const ROOT = resolve(__dirname, '..');
const LFW = resolve(ROOT, '../shared/faces/lfw-dev');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};

function lfwPhotos(n: number): string[] {
  const out: string[] = [];
  for (const person of readdirSync(LFW).filter((d) => !d.endsWith('.txt')).sort()) {
    for (const f of readdirSync(join(LFW, person)).sort()) {
      out.push(join(LFW, person, f));
      if (out.length >= n) return out;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const db = `facesearch_bench_${Date.now().toString(36)}`;
  const vectorPort = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
    DATABASE_APP_PASSWORD: 'bench-app-password-not-secret',
    REDIS_PREFIX: `fsbench:${randomBytes(3).toString('hex')}`,
    FACESEARCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'facesearch-bench-')),
    FACESEARCH_MODELS_DIR: resolve(ROOT, '.cache/models'),
    RATE_LIMIT_PER_MINUTE: '1000000',
    INDEXER_CONCURRENCY: String(JOBS),
    FACE_POOL_SIZE: String(WORKERS),
    PORT: '0',
    VECTOR_INDEX_URLS: `http://127.0.0.1:${vectorPort}`,
  });
  const logger = new NestPinoLogger(createLogger({ level: 'error', app: 'bench' }));
  const vectors = await createVectorIndexApp(config, logger, {
    imports: [PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } })],
    embeddingSource: { useExisting: PgEmbeddingSource },
  });
  await vectors.listen(vectorPort, '127.0.0.1');
  const gateway = await createGatewayApp(config, logger);
  await gateway.listen(0, '127.0.0.1');
  const base = await gateway.getUrl();
  const apps: INestApplication[] = [vectors, gateway];
  const indexer = await NestFactory.create(IndexerModule.forRoot({ ...config, indexer: { ...config.indexer, port: 0 } }), { logger });
  await indexer.init();
  apps.push(indexer);

  const call = async (method: string, path: string, key: string, body?: FormData, json?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: json !== undefined ? JSON.stringify(json) : body,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

  try {
    const tenant = await call('POST', '/v1/tenants', config.auth.operatorToken, undefined, { name: 'bench' });
    const key = tenant.adminApiKey as string;
    const photos = lfwPhotos(IMAGES);
    const bytes = photos.map((p) => readFileSync(p));

    // Warm the face engine (model load) outside the measurement.
    const warm = new FormData();
    warm.append('image', new Blob([bytes[0]]), 'warm.jpg');
    const w = await call('POST', '/v1/assets/warmup/index', key, warm);
    for (;;) {
      const j = await call('GET', `/v1/jobs/${w.jobId as string}`, key);
      if (j.status === 'completed' || j.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const started = performance.now();
    const jobIds: string[] = new Array(photos.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < photos.length; i = next++) {
          const form = new FormData();
          form.append('image', new Blob([bytes[i]]), 'p.jpg');
          jobIds[i] = (await call('POST', `/v1/assets/lfw-${i}/index`, key, form)).jobId as string;
        }
      }),
    );
    const accepted = performance.now();
    let faces = 0;
    let failed = 0;
    for (const id of jobIds) {
      for (;;) {
        const j = await call('GET', `/v1/jobs/${id}`, key);
        if (j.status === 'completed' || j.status === 'failed') {
          faces += Number(j.facesIndexed ?? 0);
          if (j.status === 'failed') failed++;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const done = performance.now();

    const latencies: number[] = [];
    let searchErrors = 0;
    for (let i = 0; i < SEARCHES; i++) {
      const form = new FormData();
      form.append('image', new Blob([bytes[(i * 7) % bytes.length]]), 'q.jpg');
      const t0 = performance.now();
      try {
        await call('POST', '/v1/search/faces-by-image', key, form);
        latencies.push(performance.now() - t0);
      } catch {
        searchErrors++;
      }
    }

    process.stdout.write(
      `${JSON.stringify({
        bench: 'index',
        images: photos.length,
        facesIndexed: faces,
        failedJobs: failed,
        faceEngineThreads: WORKERS,
        jobsInFlight: JOBS,
        requestConcurrency: CONCURRENCY,
        acceptRatePerSec: Math.round((photos.length / ((accepted - started) / 1000)) * 10) / 10,
        imagesPerSec: Math.round((photos.length / ((done - started) / 1000)) * 10) / 10,
        totalSeconds: Math.round((done - started) / 100) / 10,
        search: { queries: latencies.length, errors: searchErrors, p50Ms: latencies.length ? pct(latencies, 50) : null, p99Ms: latencies.length ? pct(latencies, 99) : null },
        target: { imagesPerSec: 60, searchP50Ms: 40 },
      })}\n`,
    );
  } finally {
    for (const app of apps.reverse()) await app.close();
    const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS "${db}_app"`);
    await c.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
