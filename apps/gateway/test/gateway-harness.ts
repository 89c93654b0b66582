import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { parseApiKey } from '@app/auth';
import { type AppConfig } from '@app/config';
import { CryptoModule } from '@app/crypto';
import { PersistenceModule, PgEmbeddingSource, PgWrappedKeyStore } from '@app/persistence';
import { captureLogs, testConfig } from '@app/testing';
import { IndexerModule } from '../../indexer/src/indexer.module';
import { createVectorIndexApp } from '../../vector-index/src/create-vector-index-app';
import { createGatewayApp } from '../src/create-gateway-app';
import { freePort } from './redis-server';

export interface GatewayHarness {
  app: NestExpressApplication;
  config: AppConfig;
  http: () => ReturnType<typeof request>;
  logs: () => string;
  operatorToken: string;
  close: () => Promise<void>;
}

/** The production gateway (same factory as main.ts) on this run's real Postgres and Redis. */
export async function startGateway(overrides: Record<string, string> = {}): Promise<GatewayHarness> {
  const config = testConfig(overrides);
  const capture = captureLogs('debug');
  const app = await createGatewayApp(config, capture.logger);
  await app.init();
  return {
    app,
    config,
    http: () => request(app.getHttpServer()),
    logs: capture.text,
    operatorToken: config.auth.operatorToken,
    close: () => app.close(),
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The secret part of an `fsk_<prefix>_<secret>` key, parsed as the authenticator parses it. */
export const keySecret = (key: string) => parseApiKey(key)!.secret;

/** A new tenant and its admin key, created through the API as an operator would. */
export async function createTenant(h: GatewayHarness, name = 'Acme'): Promise<{ tenantId: string; adminKey: string }> {
  const res = await h.http().post('/v1/tenants').set(bearer(h.operatorToken)).send({ name }).expect(201);
  return { tenantId: res.body.tenantId, adminKey: res.body.adminApiKey };
}

/** The vector-index service in this process, reading Postgres like production, listening on `port`. */
export async function startVectorIndex(config: AppConfig, port: number): Promise<INestApplication> {
  const vectors = await createVectorIndexApp(config, captureLogs('warn').logger, {
    imports: [PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } })],
    embeddingSource: { useExisting: PgEmbeddingSource },
  });
  await vectors.listen(port, '127.0.0.1');
  return vectors;
}

export interface StackHarness {
  gateway: GatewayHarness;
  indexer: INestApplication;
  vectors?: INestApplication;
  close: () => Promise<void>;
}

/**
 * Gateway, indexer worker and vector-index service in this process, on one configuration (same
 * database, Redis prefix, keys and blob folder), as `npm start` runs them as three processes.
 */
export async function startStack(overrides: Record<string, string> = {}, opts: { vectorIndex?: boolean } = { vectorIndex: true }): Promise<StackHarness> {
  const port = await freePort();
  const gateway = await startGateway({ VECTOR_INDEX_URLS: `http://127.0.0.1:${port}`, ...overrides });
  const config = gateway.config;
  let vectors: INestApplication | undefined;
  if (opts.vectorIndex !== false) vectors = await startVectorIndex(config, port);
  const indexer = await NestFactory.create(IndexerModule.forRoot({ ...config, indexer: { ...config.indexer, port: 0 } }), { logger: captureLogs('warn').logger });
  await indexer.init();
  return {
    gateway,
    indexer,
    vectors,
    close: async () => {
      await indexer.close();
      await gateway.close();
      await vectors?.close().catch(() => undefined);
    },
  };
}

const ROOT = resolve(__dirname, '../../..');

/**
 * A real indexer process (as `npm start` runs it, from source) on the gateway's configuration, for
 * tests that kill -9 it. Its vector index is unreachable unless `env` names one.
 */
export function startWorkerProcess(gateway: GatewayHarness, env: Record<string, string> = {}): ChildProcess {
  const c = gateway.config;
  return spawn(process.execPath, ['--require', join(ROOT, 'infra/scripts/swc-register.cjs'), join(ROOT, 'apps/indexer/src/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: c.db.adminUrl,
      DATABASE_APP_PASSWORD: c.db.appPassword,
      REDIS_URL: c.redis.url,
      REDIS_PREFIX: c.redis.prefix,
      FACESEARCH_DATA_DIR: c.dataDir,
      FACESEARCH_OPERATOR_TOKEN: c.auth.operatorToken,
      FACESEARCH_MASTER_KEY: c.kms.masterKey!.toString('base64'),
      INDEXER_PORT: '0',
      INDEXER_CONCURRENCY: '2',
      INDEXER_LOCK_DURATION_MS: '2000',
      VECTOR_INDEX_URLS: 'http://127.0.0.1:9',
      ...env,
    },
  });
}

/** Resolves when the process has exited (at once if it already has). */
export const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));
