import { DataSource } from 'typeorm';
import { TenantId } from '@app/contracts';
import { createCrypto, createKeyProvider, CryptoError, type CryptoServices } from '@app/crypto';
import { testConfig } from '@app/testing';
import { appDataSourceOptions } from './data-source.factory';
import { prepareDatabase } from './database-bootstrap';
import { PgWrappedKeyStore } from './repositories/pg-wrapped-key.store';
import { TenantDb } from './tenant-db';

describe('PgWrappedKeyStore with the envelope (real Postgres, local KMS provider)', () => {
  const config = testConfig();
  let ds: DataSource;
  let crypto: CryptoServices;
  let db: TenantDb;
  const vector = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 16);

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

  it('stores DEKs only wrapped, and only visible to their tenant', async () => {
    const a = TenantId.generate();
    const b = TenantId.generate();
    await crypto.keys.provisionTenant(a);
    await crypto.keys.provisionTenant(b);
    const rows = await db.run(a, (tx) => tx.manager.query(`SELECT tenant_id, wrapped_key FROM wrapped_data_keys`));
    expect(rows).toHaveLength(1);
    expect(rows[0].tenant_id).toBe(a);
    expect((rows[0].wrapped_key as Buffer).length).toBeGreaterThan(32);
  });

  it('round-trips an embedding, rotates, and still reads the old ciphertext', async () => {
    const t = TenantId.generate();
    await crypto.keys.provisionTenant(t);
    const sealed = await crypto.envelope.encrypt(t, 'face-1', 'yunet-arcface-v1@1', vector);
    expect(Buffer.from(sealed).includes(Buffer.from(vector.buffer))).toBe(false);
    const rotated = await crypto.keys.rotate(t);
    expect(rotated).toEqual({ version: 2, previousVersion: 1 });
    expect(Array.from(await crypto.envelope.decrypt(t, 'face-1', 'yunet-arcface-v1@1', sealed))).toEqual(Array.from(vector));
    const resealed = await crypto.envelope.reencrypt(t, sealed, 'face-1', 'yunet-arcface-v1@1');
    expect(crypto.envelope.keyVersionOf(resealed)).toBe(2);
  });

  it('cannot decrypt another tenant\'s ciphertext, and nothing after shredding', async () => {
    const a = TenantId.generate();
    const b = TenantId.generate();
    await crypto.keys.provisionTenant(a);
    await crypto.keys.provisionTenant(b);
    const sealed = await crypto.envelope.encrypt(a, 'face-x', 'm@1', vector);
    await expect(crypto.envelope.decrypt(b, 'face-x', 'm@1', sealed)).rejects.toBeInstanceOf(CryptoError);
    await crypto.keys.shredTenant(a);
    // A fresh process (no DEK cache) holding a copy of the ciphertext cannot read it either.
    const fresh = createCrypto({ keyStore: new PgWrappedKeyStore(db), provider: createKeyProvider(config) });
    try {
      await expect(fresh.envelope.decrypt(a, 'face-x', 'm@1', sealed)).rejects.toMatchObject({ code: 'key_destroyed' });
    } finally {
      fresh.close();
    }
    const [row] = await db.run(a, (tx) => tx.manager.query(`SELECT wrapped_key, destroyed_at FROM wrapped_data_keys`));
    expect(row.wrapped_key).toBeNull();
    expect(row.destroyed_at).toBeInstanceOf(Date);
  });
});
