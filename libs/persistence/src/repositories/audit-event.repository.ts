import { Injectable } from '@nestjs/common';
import { AuditChainHeadEntity, AuditEventEntity } from '../entities';
import { type TenantTx } from '../tenant-db';

export interface ChainHead {
  seq: number;
  hash: string;
}

export type NewAuditEvent = Omit<AuditEventEntity, 'tenantId' | 'seq'> & { seq: number };

export interface AuditEventFilter {
  from?: Date;
  to?: Date;
  action?: string;
  actorKeyId?: string;
  /** Events with seq below this one (newest-first paging). */
  beforeSeq?: number;
  limit: number;
}

@Injectable()
export class AuditEventRepository {
  /**
   * Locks this tenant's chain head for the rest of the transaction (creating it at the genesis hash
   * when missing), so concurrent appends of one tenant take turns and never fork the chain.
   */
  async lockHead(tx: TenantTx, genesisHash: string): Promise<ChainHead> {
    await tx.manager.query(
      `INSERT INTO audit_chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING`,
      [tx.tenantId, genesisHash],
    );
    const [head] = (await tx.manager.query(
      `SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE tenant_id = $1 FOR UPDATE`,
      [tx.tenantId],
    )) as { seq: string; hash: string }[];
    return { seq: Number(head.seq), hash: head.hash };
  }

  async append(tx: TenantTx, event: NewAuditEvent): Promise<void> {
    await tx.manager.getRepository(AuditEventEntity).insert({ ...event, seq: String(event.seq), tenantId: tx.tenantId });
    await tx.manager
      .getRepository(AuditChainHeadEntity)
      .update({ tenantId: tx.tenantId }, { seq: String(event.seq), hash: event.hash });
  }

  async list(tx: TenantTx, filter: AuditEventFilter): Promise<AuditEventEntity[]> {
    const qb = tx.manager
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .orderBy('e.seq', 'DESC')
      .limit(filter.limit);
    if (filter.from) qb.andWhere('e.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.at < :to', { to: filter.to });
    if (filter.action) qb.andWhere('e.action = :action', { action: filter.action });
    if (filter.actorKeyId) qb.andWhere('e.actor_key_id = :actorKeyId', { actorKeyId: filter.actorKeyId });
    if (filter.beforeSeq !== undefined) qb.andWhere('e.seq < :beforeSeq', { beforeSeq: filter.beforeSeq });
    return qb.getMany();
  }

  /** Oldest first from `afterSeq` (export and verification walk the chain forwards in batches). */
  async listAscending(tx: TenantTx, afterSeq: number, limit: number, filter: { from?: Date; to?: Date; action?: string } = {}): Promise<AuditEventEntity[]> {
    const qb = tx.manager
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId', { tenantId: tx.tenantId })
      .andWhere('e.seq > :afterSeq', { afterSeq })
      .orderBy('e.seq', 'ASC')
      .limit(limit);
    if (filter.from) qb.andWhere('e.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.at < :to', { to: filter.to });
    if (filter.action) qb.andWhere('e.action = :action', { action: filter.action });
    return qb.getMany();
  }

  async head(tx: TenantTx): Promise<ChainHead | null> {
    const rows = (await tx.manager.query(`SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE tenant_id = $1`, [tx.tenantId])) as { seq: string; hash: string }[];
    return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : null;
  }
}
