import { Injectable } from '@nestjs/common';
import { type ApiKeyId, type Role, type TenantId } from '@app/contracts';
import { ApiKeyEntity } from '../entities';
import { type TenantDb, type TenantTx } from '../tenant-db';

export interface NewApiKey {
  id: ApiKeyId;
  name: string;
  role: Role;
  prefix: string;
  secretHash: Buffer;
  createdBy: string;
}

/** What authentication needs before the tenant is known. */
export interface ApiKeyCredential {
  id: ApiKeyId;
  tenantId: TenantId;
  role: Role;
  secretHash: Buffer;
  revokedAt: Date | null;
}

@Injectable()
export class ApiKeyRepository {
  async insert(tx: TenantTx, key: NewApiKey): Promise<ApiKeyEntity> {
    const repo = tx.manager.getRepository(ApiKeyEntity);
    await repo.insert({ ...key, tenantId: tx.tenantId });
    return repo.findOneByOrFail({ id: key.id, tenantId: tx.tenantId });
  }

  async list(tx: TenantTx, includeRevoked: boolean): Promise<ApiKeyEntity[]> {
    const qb = tx.manager
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .where('k.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .orderBy('k.created_at', 'ASC')
      .addOrderBy('k.id', 'ASC');
    if (!includeRevoked) qb.andWhere('k.revoked_at IS NULL');
    return qb.getMany();
  }

  async findById(tx: TenantTx, id: ApiKeyId): Promise<ApiKeyEntity | null> {
    return tx.manager.getRepository(ApiKeyEntity).findOneBy({ id, tenantId: tx.tenantId });
  }

  /** Sets revoked_at once; returns the key, or null when it does not exist in this tenant. */
  async revoke(tx: TenantTx, id: ApiKeyId, at: Date): Promise<ApiKeyEntity | null> {
    const repo = tx.manager.getRepository(ApiKeyEntity);
    await repo
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where('id = :id AND tenant_id = :tenantId AND revoked_at IS NULL', { id, tenantId: tx.tenantId })
      .execute();
    return repo.findOneBy({ id, tenantId: tx.tenantId });
  }

  /** The only cross-tenant read: through a SECURITY DEFINER function that returns one prefix's row. */
  async findCredentialByPrefix(db: TenantDb, prefix: string): Promise<ApiKeyCredential | null> {
    const rows = await db.query<{ id: string; tenant_id: string; role: Role; secret_hash: Buffer; revoked_at: Date | null }>(
      'SELECT id, tenant_id, role, secret_hash, revoked_at FROM app_find_api_key($1)',
      [prefix],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id as ApiKeyId,
      tenantId: row.tenant_id as TenantId,
      role: row.role,
      secretHash: row.secret_hash,
      revokedAt: row.revoked_at,
    };
  }

  /** Locks a tenant out at once (tenant deletion): every active key is revoked. */
  async revokeAll(tx: TenantTx, at: Date): Promise<void> {
    await tx.manager.query(`UPDATE api_keys SET revoked_at = $2 WHERE tenant_id = $1 AND revoked_at IS NULL`, [tx.tenantId, at]);
  }
}
