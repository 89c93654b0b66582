import { randomUUID } from 'node:crypto';
import { TenantId } from '@app/contracts';
import { AuditService } from '@app/audit';
import { createCrypto, createKeyProvider, EnvelopeService } from '@app/crypto';
import { FaceRepository, PgWrappedKeyStore, TenantDb } from '@app/persistence';
import { bearer, createTenant, type GatewayHarness, type StackHarness, startStack } from './gateway-harness';

describe('DELETE /v1/tenants/{tenantId}: purge with crypto-shredding and a receipt', () => {
  let stack: StackHarness;
  let gateway: GatewayHarness;

  beforeAll(async () => {
    stack = await startStack();
    gateway = stack.gateway;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const receipt = (id: string) => gateway.http().get(`/v1/deletions/${id}`).set(bearer(gateway.operatorToken));

  it('locks the tenant out at once, purges everything, destroys its keys, and keeps a receipt and the audit trail', async () => {
    const { tenantId, adminKey } = await createTenant(gateway, 'Doomed Co');
    const other = await createTenant(gateway, 'Survivor Co');
    const tid = TenantId.parse(tenantId);
    const envelope = gateway.app.get(EnvelopeService);
    const faces = gateway.app.get(FaceRepository);
    const db = gateway.app.get(TenantDb);
    const vector = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 16);
    const ids = Array.from({ length: 4 }, () => randomUUID());
    const sealed = await Promise.all(ids.map((id) => envelope.encrypt(tid, id, 'yunet-arcface-v1@1', vector)));
    await db.run(tid, async (tx) => {
      const gen = await faces.assetGeneration(tx, 'photo-1');
      await faces.replaceAssetFaces(tx, 'photo-1', gen, 'a'.repeat(64), ids.map((id, i) => ({
        id, box: { left: 0, top: 0, width: 0.5, height: 0.5 }, confidence: 0.99, quality: {}, modelSet: 'yunet-arcface-v1', modelVersion: '1', keyVersion: 1, embedding: sealed[i],
      })), new Date());
    });

    const res = await gateway.http().delete(`/v1/tenants/${tenantId}`).set(bearer(gateway.operatorToken)).expect(202);
    const { deletionId } = res.body;
    expect(deletionId).toMatch(/^[0-9a-f-]{36}$/);
    // Locked out immediately, before the purge has run.
    expect((await gateway.http().get('/v1/settings').set(bearer(adminKey))).status).toBe(401);

    let body: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      body = (await receipt(deletionId).expect(200)).body;
      if (body.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toMatchObject({
      deletionId,
      scope: { type: 'tenant', id: tenantId },
      status: 'completed',
      requestedBy: { type: 'operator' },
      counts: { faces: 4, embeddings: 4, indexEntries: 4, jobsCancelled: 0, dataKeysDestroyed: 1 },
      verified: { searchable: 0 },
    });
    expect(body.completedAt).toEqual(expect.any(String));

    await gateway.http().get(`/v1/tenants/${tenantId}`).set(bearer(gateway.operatorToken)).expect(404);
    expect(await db.run(tid, (tx) => faces.count(tx))).toBe(0);
    // A kept copy of a ciphertext can no longer be decrypted by anyone (no cache, fresh process).
    const fresh = createCrypto({ keyStore: new PgWrappedKeyStore(db), provider: createKeyProvider(gateway.config) });
    try {
      await expect(fresh.envelope.decrypt(tid, ids[0], 'yunet-arcface-v1@1', sealed[0])).rejects.toMatchObject({ code: 'key_destroyed' });
    } finally {
      fresh.close();
    }
    // The audit trail outlives the tenant.
    const actions = (await gateway.app.get(AuditService).list(tid, { limit: 50 })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.deletion_requested', 'tenant.deleted']));
    // Another tenant is untouched.
    await gateway.http().get('/v1/settings').set(bearer(other.adminKey)).expect(200);
    // Its admin could not read this receipt (not its tenant) — 404, not 403.
    await gateway.http().get(`/v1/deletions/${deletionId}`).set(bearer(other.adminKey)).expect(404);
  });

  it('answers 404 for an unknown tenant and 403 for tenant keys', async () => {
    await gateway.http().delete(`/v1/tenants/${randomUUID()}`).set(bearer(gateway.operatorToken)).expect(404);
    const { tenantId, adminKey } = await createTenant(gateway, 'Not Yours Co');
    await gateway.http().delete(`/v1/tenants/${tenantId}`).set(bearer(adminKey)).expect(403);
  });

  it('lists the tenant\'s own receipts for admins and auditors', async () => {
    const { adminKey } = await createTenant(gateway, 'Receipts Co');
    const list = await gateway.http().get('/v1/deletions').set(bearer(adminKey)).expect(200);
    expect(list.body).toEqual({ items: [], nextCursor: null });
  });
});
