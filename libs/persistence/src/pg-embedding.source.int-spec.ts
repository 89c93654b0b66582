import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TenantId } from '@app/contracts';
import { createCrypto, createKeyProvider, type CryptoServices } from '@app/crypto';
import { testConfig } from '@app/testing';
import { appDataSourceOptions } from './data-source.factory';
import { prepareDatabase } from './database-bootstrap';
import { FaceRepository } from './repositories/face.repository';
import { PgEmbeddingSource } from './repositories/pg-embedding.source';
import { PgWrappedKeyStore } from './repositories/pg-wrapped-key.store';
import { TenantRepository } from './repositories/tenant.repository';
import { TenantDb } from './tenant-db';

describe('PgEmbeddingSource (real Postgres): what the vector index loads', () => {
  const config = testConfig();
  let ds: DataSource;
  let db: TenantDb;
  let crypto: CryptoServices;
  const faces = new FaceRepository();

  beforeAll(async () => {
    await prepareDatabase(config);
    ds = new DataSource(appDataSourceOptions(config));
    await ds.initialize();
    db = new TenantDb(ds);
    crypto = createCrypto({ keyStore: new PgWrappedKeyStore(db), provider: createKeyProvider(config) });
  });
  afterAll(async () => {
    crypto?.close();
    await ds?.destroy();
  });

  /** The faces of asset a1, sealed as the indexer seals them, in this order; returns their ids. */
  async function indexFaces(tenant: TenantId, vectors: Float32Array[]): Promise<string[]> {
    const ids = vectors.map(() => randomUUID());
    const sealed = await Promise.all(ids.map((id, k) => crypto.envelope.encrypt(tenant, id, 'yunet-arcface-v1@1.0.0', vectors[k]!)));
    await db.run(tenant, async (tx) => {
      const gen = await faces.assetGeneration(tx, 'a1');
      await faces.replaceAssetFaces(tx, 'a1', gen, 'c'.repeat(64), ids.map((id, k) => ({
        id, box: { left: 0, top: 0, width: 1, height: 1 }, confidence: 1, quality: {}, modelSet: 'yunet-arcface-v1', modelVersion: '1.0.0', keyVersion: 1, embedding: sealed[k]!,
      })), new Date());
    });
    return ids;
  }

  it('streams a tenant\'s decrypted embeddings in seq order, in batches, from any point', async () => {
    const tenant = TenantId.generate();
    const other = TenantId.generate();
    for (const t of [tenant, other]) {
      await db.run(t, (tx) => new TenantRepository().insert(tx, { name: 'x', kmsKeyId: null }));
      await crypto.keys.provisionTenant(t);
    }
    const vectors = Array.from({ length: 5 }, (_, k) => Float32Array.from({ length: 512 }, (_, i) => Math.sin(i * (k + 1)) / 16));
    const ids = await indexFaces(tenant, vectors);

    const source = new PgEmbeddingSource(db, faces, crypto.envelope);
    const batches: number[] = [];
    const seen: { faceId: string; seq: number; vector: Float32Array }[] = [];
    for await (const batch of source.streamSince(tenant, 0, 2)) {
      batches.push(batch.length);
      seen.push(...batch);
    }
    expect(batches).toEqual([2, 2, 1]);
    expect(seen.map((s) => s.faceId)).toEqual(ids);
    seen.forEach((s, k) => expect(Array.from(s.vector)).toEqual(Array.from(vectors[k])));
    expect(await source.maxSeq(tenant)).toBe(seen[4].seq);

    const tail: string[] = [];
    for await (const batch of source.streamSince(tenant, seen[2].seq, 10)) tail.push(...batch.map((b) => b.faceId));
    expect(tail).toEqual(ids.slice(3));
    // Another tenant sees none of them.
    const none: unknown[] = [];
    for await (const batch of source.streamSince(other, 0, 10)) none.push(...batch);
    expect(none).toEqual([]);
    expect(await source.maxSeq(other)).toBe(0);
  });

  it('orders by the number, not its text: a load whose seqs cross a power of ten misses no face', async () => {
    // seq is one identity for all tenants: move it just below the next power of ten (only ever upwards).
    const admin = new Client({ connectionString: config.db.adminUrl });
    await admin.connect();
    try {
      const [{ max }] = (await admin.query(`SELECT coalesce(max(seq), 0)::bigint AS max FROM faces`)).rows as { max: string }[];
      const power = 10 ** String(Number(max) + 10).length;
      await admin.query(`ALTER TABLE faces ALTER COLUMN seq RESTART WITH ${power - 5}`);
    } finally {
      await admin.end();
    }
    const tenant = TenantId.generate();
    await db.run(tenant, (tx) => new TenantRepository().insert(tx, { name: 'x', kmsKeyId: null }));
    await crypto.keys.provisionTenant(tenant);
    const ids = await indexFaces(tenant, Array.from({ length: 12 }, (_, k) => Float32Array.from({ length: 512 }, (_, i) => Math.cos(i + k))));
    const source = new PgEmbeddingSource(db, faces, crypto.envelope);
    const seen: { faceId: string; seq: number }[] = [];
    for await (const batch of source.streamSince(tenant, 0, 3)) seen.push(...batch);
    expect(String(seen[0]!.seq).length).toBeLessThan(String(seen[11]!.seq).length);
    expect(seen.map((s) => s.faceId)).toEqual(ids);
    // The faces list pages the same way.
    const page1 = await db.run(tenant, (tx) => faces.list(tx, 5));
    const page2 = await db.run(tenant, (tx) => faces.list(tx, 20, page1[4]!.seq));
    expect([...page1, ...page2].map((f) => f.id)).toEqual(ids);
  });
});
