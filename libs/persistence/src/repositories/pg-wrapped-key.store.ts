import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { type KeyOwner, type KeyProviderName, type WrappedKeyRecord, type WrappedKeyStore } from '@app/crypto';
import { TenantDb } from '../tenant-db';

interface Row {
  tenant_id: string;
  version: number;
  provider: KeyProviderName;
  kms_key_id: string | null;
  key_owner: KeyOwner;
  wrapped_key: Buffer | null;
  created_at: Date;
  destroyed_at: Date | null;
}

const COLUMNS = 'tenant_id, version, provider, kms_key_id, key_owner, wrapped_key, created_at, destroyed_at';

const toRecord = (r: Row): WrappedKeyRecord => ({
  tenantId: r.tenant_id as TenantId,
  version: r.version,
  provider: r.provider,
  kmsKeyId: r.kms_key_id,
  keyOwner: r.key_owner,
  wrappedKey: r.wrapped_key,
  createdAt: r.created_at,
  destroyedAt: r.destroyed_at,
});

/** The crypto lib's WrappedKeyStore port on Postgres, each call in its tenant's RLS scope. */
@Injectable()
export class PgWrappedKeyStore implements WrappedKeyStore {
  constructor(private readonly db: TenantDb) {}

  async list(tenantId: TenantId): Promise<WrappedKeyRecord[]> {
    const rows = await this.db.run(tenantId, (tx) =>
      tx.manager.query(`SELECT ${COLUMNS} FROM wrapped_data_keys WHERE tenant_id = $1 ORDER BY version`, [tx.tenantId]),
    );
    return (rows as Row[]).map(toRecord);
  }

  async get(tenantId: TenantId, version: number): Promise<WrappedKeyRecord | null> {
    const rows = await this.db.run(tenantId, (tx) =>
      tx.manager.query(`SELECT ${COLUMNS} FROM wrapped_data_keys WHERE tenant_id = $1 AND version = $2`, [tx.tenantId, version]),
    );
    const row = (rows as Row[])[0];
    return row ? toRecord(row) : null;
  }

  async insertIfAbsent(record: WrappedKeyRecord): Promise<WrappedKeyRecord> {
    const rows = await this.db.run(record.tenantId, async (tx) => {
      await tx.manager.query(
        `INSERT INTO wrapped_data_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, version) DO NOTHING`,
        [tx.tenantId, record.version, record.provider, record.kmsKeyId, record.keyOwner, record.wrappedKey, record.createdAt, record.destroyedAt],
      );
      return tx.manager.query(`SELECT ${COLUMNS} FROM wrapped_data_keys WHERE tenant_id = $1 AND version = $2`, [tx.tenantId, record.version]);
    });
    return toRecord((rows as Row[])[0]);
  }

  async destroy(tenantId: TenantId, version: number | undefined, at: Date): Promise<void> {
    await this.db.run(tenantId, (tx) =>
      tx.manager.query(
        `UPDATE wrapped_data_keys SET wrapped_key = NULL, destroyed_at = coalesce(destroyed_at, $3)
          WHERE tenant_id = $1 AND ($2::int IS NULL OR version = $2)`,
        [tx.tenantId, version ?? null, at],
      ),
    );
  }
}
