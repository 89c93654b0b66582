import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
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

/** A new tenant and its admin key, created through the API as an operator would. */
export async function createTenant(h: GatewayHarness, name = 'Acme'): Promise<{ tenantId: string; adminKey: string }> {
  const res = await h.http().post('/v1/tenants').set(bearer(h.operatorToken)).send({ name }).expect(201);
  return { tenantId: res.body.tenantId, adminKey: res.body.adminApiKey };
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
  if (opts.vectorIndex !== false) {
    vectors = await createVectorIndexApp(config, captureLogs('warn').logger, {
      imports: [PersistenceModule.forRoot(), CryptoModule.forRoot({ keyStore: { useExisting: PgWrappedKeyStore } })],
      embeddingSource: { useExisting: PgEmbeddingSource },
    });
    await vectors.listen(port, '127.0.0.1');
  }
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
