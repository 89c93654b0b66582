import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { TenantEntity, type QualityFilter } from '../entities';
import { type OperatorTx, type TenantTx } from '../tenant-db';

export interface NewTenant {
  name: string;
  kmsKeyId: string | null;
  retentionDays?: number;
}

/** A secret sealed by EnvelopeService.sealSecret, with the data-key version from its header. */
export interface SealedTenantSecret {
  sealed: Buffer;
  keyVersion: number;
}

export interface TenantSettingsPatch {
  retentionDays?: number;
  matchThreshold?: number;
  minFaceSize?: number;
  maxFacesPerImage?: number;
  qualityFilter?: QualityFilter;
  /** Already sealed (TenantSecretsSealedSet.sealWebhookSecret); null removes it. Plaintext never reaches a row. */
  webhookSecret?: SealedTenantSecret | null;
}

export interface TenantCounts {
  activeApiKeys: number;
}

@Injectable()
export class TenantRepository {
  /** Runs inside the new tenant's own transaction, so RLS admits the row. */
  async insert(tx: TenantTx, data: NewTenant): Promise<TenantEntity> {
    const repo = tx.manager.getRepository(TenantEntity);
    await repo.insert({ id: tx.tenantId, name: data.name, kmsKeyId: data.kmsKeyId, ...(data.retentionDays ? { retentionDays: data.retentionDays } : {}) });
    return repo.findOneByOrFail({ id: tx.tenantId });
  }

  async get(tx: TenantTx): Promise<TenantEntity | null> {
    return tx.manager.getRepository(TenantEntity).findOneBy({ id: tx.tenantId });
  }

  async updateSettings(tx: TenantTx, patch: TenantSettingsPatch): Promise<TenantEntity | null> {
    const repo = tx.manager.getRepository(TenantEntity);
    const { webhookSecret, ...fields } = patch;
    if (Object.keys(fields).length > 0) await repo.update({ id: tx.tenantId }, fields);
    if (webhookSecret !== undefined) await this.setWebhookSecret(tx, webhookSecret);
    return repo.findOneBy({ id: tx.tenantId });
  }

  /** Stores the sealed webhook secret (null: none), and clears any legacy plaintext in the same statement. */
  async setWebhookSecret(tx: TenantTx, secret: SealedTenantSecret | null): Promise<void> {
    await tx.manager.query(
      `UPDATE tenants SET webhook_secret_sealed = $2, webhook_secret_key_version = $3, webhook_secret = NULL, updated_at = now() WHERE id = $1`,
      [tx.tenantId, secret?.sealed ?? null, secret?.keyVersion ?? null],
    );
  }

  /** Replaces the sealed webhook secret with its re-sealed copy (data-key rotation); not a settings change. */
  async resealWebhookSecret(tx: TenantTx, secret: SealedTenantSecret): Promise<void> {
    await tx.manager.query(`UPDATE tenants SET webhook_secret_sealed = $2, webhook_secret_key_version = $3 WHERE id = $1`, [
      tx.tenantId,
      secret.sealed,
      secret.keyVersion,
    ]);
  }

  /**
   * The legacy plaintext webhook secret (written before migration 1764000000005), row-locked until the
   * transaction ends; null when there is none. Only for sealing it: see TenantSecretsSealedSet.
   */
  async lockLegacyWebhookSecret(tx: TenantTx): Promise<string | null> {
    const rows = (await tx.manager.query(`SELECT webhook_secret AS secret FROM tenants WHERE id = $1 AND webhook_secret IS NOT NULL FOR UPDATE`, [
      tx.tenantId,
    ])) as { secret: string }[];
    return rows[0]?.secret ?? null;
  }

  /** The sealed webhook secret when it is under a data-key version below `version`, row-locked; else null. */
  async lockStaleWebhookSecret(tx: TenantTx, version: number): Promise<SealedTenantSecret | null> {
    const rows = (await tx.manager.query(
      `SELECT webhook_secret_sealed AS sealed, webhook_secret_key_version AS "keyVersion" FROM tenants
       WHERE id = $1 AND webhook_secret_key_version < $2 FOR UPDATE`,
      [tx.tenantId, version],
    )) as SealedTenantSecret[];
    return rows[0] ?? null;
  }

  async counts(tx: TenantTx): Promise<TenantCounts> {
    const [row] = (await tx.manager.query(
      `SELECT count(*)::int AS "activeApiKeys" FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL`,
      [tx.tenantId],
    )) as TenantCounts[];
    return row;
  }

  /** Operator listing across tenants, newest first, keyset-paginated by (created_at, id). */
  async list(tx: OperatorTx, limit: number, after?: { createdAt: Date; id: string }): Promise<TenantEntity[]> {
    const qb = tx.manager
      .getRepository(TenantEntity)
      .createQueryBuilder('t')
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(limit);
    if (after) qb.where('(t.created_at, t.id) < (:createdAt, :id)', after);
    return qb.getMany();
  }

  async exists(tx: OperatorTx, tenantId: TenantId): Promise<boolean> {
    return tx.manager.getRepository(TenantEntity).existsBy({ id: tenantId });
  }

  /** Removes the tenant row; keys, assets, faces and jobs go with it (ON DELETE CASCADE). */
  async deleteCascade(tx: TenantTx): Promise<{ faces: number; apiKeys: number; jobs: number }> {
    const [counts] = (await tx.manager.query(
      `SELECT (SELECT count(*)::int FROM faces WHERE tenant_id = $1) AS faces,
              (SELECT count(*)::int FROM api_keys WHERE tenant_id = $1) AS "apiKeys",
              (SELECT count(*)::int FROM index_jobs WHERE tenant_id = $1 AND status IN ('queued', 'active')) AS jobs`,
      [tx.tenantId],
    )) as { faces: number; apiKeys: number; jobs: number }[];
    await tx.manager.query(`DELETE FROM tenants WHERE id = $1`, [tx.tenantId]);
    return counts;
  }
}
