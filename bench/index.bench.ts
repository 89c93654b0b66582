// npm run bench:index — end-to-end indexing throughput (HTTP API → BullMQ → worker → face engine →
// Postgres → vector index) on LFW-size photos, then search-by-image latency through the API.
// Everything runs in this process on loopback against the local Postgres and Redis, with a database
// and Redis prefix of its own (dropped afterwards). Prints one JSON object.
//   --images N (default 400)  --searches N (default 100)  --concurrency N (HTTP, default 16)
//   --workers N (face-engine threads, default 2)  --jobs N (index jobs in flight, default 8)
//   --drain: the worker waits until every upload is accepted, then drains the queue: the worker's own
//   rate and CPU per image, apart from the gateway's (in production they are separate processes).
// For scale, the same photos first go through a bare FaceEngine of the same size in this process
// (`engineAlone`): the end-to-end rate is also given as a share of it (measured a minute apart, same
// machine). The end of indexing is the last job's completedAt. Job statuses are read through the API
// once every job has ended (the worker's events say when), so status polling is not part of the work
// measured (integrators can take callbacks instead). CPU per image is the whole process (every
// thread), and, where /proc can be read, the Postgres and Redis server processes (shared with
// whatever else uses them), up to the moment every job has ended.
import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FaceEngine } from '@app/face';
import { CryptoModule } from '@app/crypto';
import { PersistenceModule, PgEmbeddingSource, PgWrappedKeyStore } from '@app/persistence';
import { createLogger, NestPinoLogger } from '@app/observability';
import { createGatewayApp } from '../apps/gateway/src/create-gateway-app';
import { IndexerModule } from '../apps/indexer/src/indexer.module';
import { IndexProcessor } from '../apps/indexer/src/processors/index.processor';
import { createVectorIndexApp } from '../apps/vector-index/src/create-vector-index-app';
import { benchStack, dropBenchStack } from './bench-stack';


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
const DRAIN = process.argv.includes('--drain');
const ROOT = resolve(__dirname, '..');
const LFW = resolve(ROOT, '../shared/faces/lfw-dev');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};

/** CPU seconds of the Postgres and Redis server processes (Linux /proc), or undefined elsewhere. */
function serverCpuSeconds(): { postgres: number; redis: number } | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const total = { postgres: 0, redis: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const kind = comm.startsWith('postgres') ? 'postgres' : comm.startsWith('redis-server') ? 'redis' : undefined;
    if (!kind) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    total[kind] += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return total;
}

/** Images/s and CPU of a bare engine of the same size on the same photos: what the pipeline around it is measured against. */
async function engineAlone(bytes: Buffer[]): Promise<{ imagesPerSec: number; cpuMsPerImage: number; queryP50Ms: number }> {
  const engine = await FaceEngine.create({ modelsDir: resolve(ROOT, '.cache/models'), poolSize: WORKERS });
  try {
    for (const b of bytes.slice(0, 2 * WORKERS)) await engine.analyze(b);
    const cpu = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = next++; i < bytes.length; i = next++) await engine.analyze(bytes[i]!);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    // One query at a time, as the searches below run, with the options a search uses.
    const latencies: number[] = [];
    for (let i = 0; i < Math.min(SEARCHES, 50); i++) {
      const t0 = performance.now();
      await engine.analyze(bytes[(i * 7) % bytes.length]!, { qualityFilter: 'none', minFaceSize: 0 });
      latencies.push(performance.now() - t0);
    }
    return {
      imagesPerSec: Math.round((bytes.length / seconds) * 10) / 10,
      cpuMsPerImage: Math.round(((used.user + used.system) / 1000 / bytes.length) * 10) / 10,
      queryP50Ms: latencies.length ? pct(latencies, 50) : 0,
    };
  } finally {
    await engine.close();
  }
}

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
  const photos = lfwPhotos(IMAGES);
  const bytes = photos.map((p) => readFileSync(p));
  const alone = await engineAlone(bytes);
  const stack = await benchStack({
    INDEXER_CONCURRENCY: String(JOBS),
    FACE_POOL_SIZE: String(WORKERS),
    // As in production: engines start with the apps (NODE_ENV=test alone would defer them to first use).
    FACE_ENGINE_PRELOAD: 'true',
  });
  const { config, vectorPort } = stack;
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

    // Warm the face engine (model load) outside the measurement.
    const warm = new FormData();
    warm.append('image', new Blob([bytes[0]]), 'warm.jpg');
    const w = await call('POST', '/v1/assets/warmup/index', key, warm);
    for (;;) {
      const j = await call('GET', `/v1/jobs/${w.jobId as string}`, key);
      if (j.status === 'completed' || j.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const worker = indexer.get(IndexProcessor).worker;
    // Jobs that ended (completed, or failed on their last attempt): the status of each is read once
    // they all have, so status polling does not compete with the indexing measured (an integrator
    // would take callbacks). The end of indexing is still the last job's completedAt.
    let ended = 0;
    let allEnded: () => void = () => undefined;
    const everyJobEnded = new Promise<void>((resolve) => (allEnded = resolve));
    const onEnd = () => {
      if (++ended >= photos.length) allEnded();
    };
    worker.on('completed', onEnd);
    worker.on('failed', (job) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) onEnd();
    });
    if (DRAIN) await worker.pause(true);
    let serverBefore = serverCpuSeconds();
    let cpuBefore = process.cpuUsage();
    let startedAt = Date.now();
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
    let upload: { cpuMsPerImage: number } | undefined;
    if (DRAIN) {
      const used = process.cpuUsage(cpuBefore);
      upload = { cpuMsPerImage: Math.round(((used.user + used.system) / 1000 / photos.length) * 10) / 10 };
      serverBefore = serverCpuSeconds();
      cpuBefore = process.cpuUsage();
      startedAt = Date.now();
      void worker.resume();
    }
    let faces = 0;
    let failed = 0;
    let lastCompletedAt = startedAt;
    await Promise.race([everyJobEnded, new Promise((resolve) => setTimeout(resolve, 120_000).unref())]);
    const cpuUsed = process.cpuUsage(cpuBefore);
    const serverAfter = serverCpuSeconds();
    // A job still open this long after the wait is stuck (its row never completed): fail loudly.
    const deadline = Date.now() + 30_000;
    for (const id of jobIds) {
      for (;;) {
        const j = await call('GET', `/v1/jobs/${id}`, key);
        if (Date.now() > deadline) throw new Error(`job ${id} still ${String(j.status)} 120 s after the last upload`);
        if (j.status === 'completed' || j.status === 'failed') {
          faces += Number(j.facesIndexed ?? 0);
          if (j.status === 'failed') failed++;
          if (j.completedAt) lastCompletedAt = Math.max(lastCompletedAt, Date.parse(j.completedAt as string));
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const seconds = (lastCompletedAt - startedAt) / 1000;
    const perImage = (cpuSeconds: number) => Math.round(((cpuSeconds * 1000) / photos.length) * 10) / 10;

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
        mode: DRAIN ? 'drain (uploads first, then the worker alone)' : 'concurrent',
        images: photos.length,
        facesIndexed: faces,
        failedJobs: failed,
        faceEngineThreads: WORKERS,
        jobsInFlight: JOBS,
        requestConcurrency: CONCURRENCY,
        acceptRatePerSec: Math.round((photos.length / ((accepted - started) / 1000)) * 10) / 10,
        imagesPerSec: Math.round((photos.length / seconds) * 10) / 10,
        totalSeconds: Math.round(seconds * 10) / 10,
        ...(upload ? { upload } : {}),
        engineAlone: alone,
        shareOfEngineAlone: Math.round((photos.length / seconds / alone.imagesPerSec) * 100) / 100,
        cpuMsPerImage: {
          // Until every job has ended: every thread of this process.
          process: perImage((cpuUsed.user + cpuUsed.system) / 1e6),
          ...(serverBefore && serverAfter
            ? { postgres: perImage(serverAfter.postgres - serverBefore.postgres), redis: perImage(serverAfter.redis - serverBefore.redis) }
            : {}),
        },
        search: { queries: latencies.length, errors: searchErrors, p50Ms: latencies.length ? pct(latencies, 50) : null, p99Ms: latencies.length ? pct(latencies, 99) : null, firstMs: latencies.length ? Math.round(latencies[0]! * 10) / 10 : null, p99AfterFirstMs: latencies.length > 1 ? pct(latencies.slice(1), 99) : null },
        target: { imagesPerSec: 60, searchP50Ms: 40 },
      })}\n`,
    );
  } finally {
    for (const app of apps.reverse()) await app.close();
    await dropBenchStack(stack);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
