import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { testServices } from '@app/testing';
import { bearer, type GatewayHarness, startGateway } from './gateway-harness';
import { freePort } from './redis-server';

describe('tenant data keys through the gateway', () => {
  let h: GatewayHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('local provider: refuses bring-your-own-key (400) and provisions a data key per tenant', async () => {
    h = await startGateway();
    const byok = await h.http().post('/v1/tenants').set(bearer(h.operatorToken)).send({ name: 'BYOK', kmsKeyId: 'alias/customer-key' });
    expect(byok.status).toBe(400);
    expect(byok.body.code).toBe('byok_unsupported');
    await h.http().post('/v1/tenants').set(bearer(h.operatorToken)).send({ name: 'Shared' }).expect(201);
  });

  it('aws-kms provider (moto): shared CMK and a tenant\'s own CMK both work; readiness checks KMS', async () => {
    const moto = testServices().motoUrl;
    const kms = new KMSClient({ endpoint: moto, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const shared = await kms.send(new CreateKeyCommand({ Description: 'facesearch shared' }));
    const own = await kms.send(new CreateKeyCommand({ Description: 'tenant own' }));
    kms.destroy();
    h = await startGateway({ KMS_PROVIDER: 'aws-kms', KMS_KEY_ID: shared.KeyMetadata!.Arn! });
    const ready = await h.http().get('/health/ready').expect(200);
    expect(ready.body.checks.kms).toBe('up');
    await h.http().post('/v1/tenants').set(bearer(h.operatorToken)).send({ name: 'Shared CMK' }).expect(201);
    const byok = await h.http().post('/v1/tenants').set(bearer(h.operatorToken)).send({ name: 'Own CMK', kmsKeyId: own.KeyMetadata!.KeyId! }).expect(201);
    const summary = await h.http().get(`/v1/tenants/${byok.body.tenantId}`).set(bearer(h.operatorToken)).expect(200);
    expect(summary.body.kmsKeyId).toBe(own.KeyMetadata!.KeyId);
  });

  it('fails closed: with KMS unreachable, tenant creation answers 503 and readiness reports it', async () => {
    const deadPort = await freePort();
    h = await startGateway({ KMS_PROVIDER: 'aws-kms', KMS_KEY_ID: 'alias/none', AWS_KMS_ENDPOINT: `http://127.0.0.1:${deadPort}` });
    const res = await h.http().post('/v1/tenants').set(bearer(h.operatorToken)).send({ name: 'No KMS' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('kms_unavailable');
    const list = await h.http().get('/v1/tenants?limit=1000').set(bearer(h.operatorToken)).expect(200);
    expect(list.body.items.map((t: { name: string }) => t.name)).not.toContain('No KMS');
    const ready = await h.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.kms).toBe('down');
  });
});
