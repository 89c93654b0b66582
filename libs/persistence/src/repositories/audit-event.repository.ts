import { Injectable } from '@nestjs/common';
import { AuditEventEntity } from '../entities';
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
   * when missing), so concurrent appends of one tenant take turns and never fork the chain. One
   * statement: the no-op DO UPDATE takes a row lock that every other append's lock waits for, and
   * returns the head (the price is one more row version per event).
   */
  async lockHead(tx: TenantTx, genesisHash: string): Promise<ChainHead> {
    const [head] = (await tx.manager.query(
      `INSERT INTO audit_chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET seq = audit_chain_heads.seq
       RETURNING seq::text AS seq, hash`,
      [tx.tenantId, genesisHash],
    )) as { seq: string; hash: string }[];
    return { seq: Number(head!.seq), hash: head!.hash };
  }

  /** The event and the new chain head in one statement (one round trip per audit event beside the lock). */
  async append(tx: TenantTx, e: NewAuditEvent): Promise<void> {
    await tx.manager.query(
      `WITH event AS (
         INSERT INTO audit_events (id, tenant_id, seq, at, actor_type, actor_key_id, actor_role, action, target_type, target_id, outcome, details, request_id, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       )
       UPDATE audit_chain_heads SET seq = $3, hash = $15 WHERE tenant_id = $2`,
      [e.id, tx.tenantId, String(e.seq), e.at, e.actorType, e.actorKeyId, e.actorRole, e.action, e.targetType, e.targetId, e.outcome, JSON.stringify(e.details), e.requestId, e.prevHash, e.hash],
    );
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
