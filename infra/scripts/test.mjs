#!/usr/bin/env node
// `npm test`: runs every jest suite (unit, integration, e2e) against real services:
// a fresh Postgres database for this run, the local Redis under a key prefix of its own, and moto
// (S3 + KMS) in server mode on a free loopback port. Prints `N passed, N failed` last.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const { Client } = require('pg');
const { Redis } = require('ioredis');

const PG_ADMIN = process.env.FACESEARCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.FACESEARCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MOTO_VERSION = '5.2.5';
const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const dbName = `facesearch_test_${runId}`;
const redisPrefix = `fstest:${runId}`;
const log = (msg) => process.stderr.write(`[test] ${msg}\n`);

function fail(msg) {
  process.stderr.write(`\n[test] ${msg}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}

async function checkPostgres() {
  const c = new Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query(`CREATE DATABASE "${dbName}"`);
  } catch (err) {
    fail(`PostgreSQL is not reachable at ${PG_ADMIN.replace(/:[^:@/]*@/, ':***@')} (${err.message}). Start it (e.g. pg_ctlcluster <version> main start) or set FACESEARCH_TEST_PG_URL.`);
  } finally {
    await c.end().catch(() => {});
  }
}

async function checkRedis() {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    fail(`Redis is not reachable at ${REDIS_URL} (${err.message}). Start it (redis-server --daemonize yes) or set FACESEARCH_TEST_REDIS_URL.`);
  } finally {
    r.disconnect();
  }
}

function ensureMoto() {
  const venv = join(root, '.venv');
  const bin = join(venv, 'bin', 'moto_server');
  const marker = join(venv, `.moto-${MOTO_VERSION}`);
  if (existsSync(bin) && existsSync(marker)) return bin;
  log(`installing moto[server]==${MOTO_VERSION} into .venv (once)`);
  const py = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  if (py.status !== 0) fail('python3 -m venv failed: moto (S3/KMS test double) needs Python 3 with venv.');
  const pip = spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`], {
    encoding: 'utf8',
  });
  // pip's output is noise unless it failed.
  if (pip.status !== 0 || !existsSync(bin)) fail(`pip install moto[server] failed:\n${(pip.stdout ?? '') + (pip.stderr ?? '')}`.slice(-4000));
  spawnSync('touch', [marker]);
  return bin;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function startMoto(bin) {
  const port = await freePort();
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/moto-api/`);
      if (r.ok) return { child, url };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  fail(`moto did not start on ${url}: ${stderr}`);
}

async function cleanup(moto) {
  if (moto) moto.child.kill('SIGTERM');
  const c = new Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS "${dbName}_app"`);
  } catch (err) {
    log(`could not drop ${dbName}: ${err.message}`);
  } finally {
    await c.end().catch(() => {});
  }
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    /* best effort */
  } finally {
    r.disconnect();
  }
}

await checkRedis();
const motoBin = ensureMoto();
await checkPostgres();
const moto = await startMoto(motoBin);
log(`database ${dbName}, redis prefix ${redisPrefix}, moto ${moto.url}`);

const dbUrl = new URL(PG_ADMIN);
dbUrl.pathname = `/${dbName}`;
const tmpDir = join(root, '.tmp');
mkdirSync(tmpDir, { recursive: true });
const resultsFile = join(tmpDir, `jest-${runId}.json`);
const env = {
  ...process.env,
  NODE_ENV: 'test',
  FACESEARCH_TEST_DATABASE_URL: dbUrl.toString(),
  FACESEARCH_TEST_REDIS_URL: REDIS_URL,
  FACESEARCH_TEST_REDIS_PREFIX: redisPrefix,
  FACESEARCH_TEST_MOTO_URL: moto.url,
  FACESEARCH_MODELS_MIRROR: process.env.FACESEARCH_MODELS_MIRROR ?? resolve(root, '../shared/models'),
};
const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const args = [jestBin, '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)];
const jest = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
const forward = (sig) => jest.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((res) => jest.on('exit', (c, sig) => res(c ?? (sig ? 1 : 0))));
await cleanup(moto);

let passed = 0;
let failed = code === 0 ? 0 : 1;
if (existsSync(resultsFile)) {
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = r.numPassedTests;
  // Suites that fail to run count as failures too.
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  rmSync(resultsFile, { force: true });
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(code);
