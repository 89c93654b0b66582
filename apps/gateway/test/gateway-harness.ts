import { type NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { type AppConfig } from '@app/config';
import { captureLogs, testConfig } from '@app/testing';
import { createGatewayApp } from '../src/create-gateway-app';

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
