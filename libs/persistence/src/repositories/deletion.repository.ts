import { Injectable } from '@nestjs/common';
import { type OperatorTx, type TenantTx } from '../tenant-db';

export type DeletionScope = 'face' | 'asset' | 'person' | 'face_data' | 'retention' | 'tenant';
export type DeletionStatus = 'pending' | 'completed' | 'failed';

export interface DeletionCounts {
  faces?: number;
  embeddings?: number;
  indexEntries?: number;
  snapshotsRewritten?: number;
  jobsCancelled?: number;
  [other: string]: number | undefined;
}

export interface DeletionRecord {
  id: string;
  tenantId: string;
  scopeType: DeletionScope;
  scopeId: string | null;
  status: DeletionStatus;
  requestedAt: Date;
  completedAt: Date | null;
  requestedBy: Record<string, string>;
  counts: DeletionCounts;
  verified: Record<string, number | null>;
  error: string | null;
}

interface Row {
  id: string;
  tenant_id: string;
  scope_type: DeletionScope;
  scope_id: string | null;
  status: DeletionStatus;
  requested_at: Date;
  completed_at: Date | null;
  requested_by: Record<string, string>;
  counts: DeletionCounts;
  verified: Record<string, number | null>;
  error: string | null;
}

const toRecord = (r: Row): DeletionRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  scopeType: r.scope_type,
  scopeId: r.scope_id,
  status: r.status,
  requestedAt: r.requested_at,
  completedAt: r.completed_at,
  requestedBy: r.requested_by,
  counts: r.counts,
  verified: r.verified,
  error: r.error,
});

/** Deletion receipts: kept after the data (and even the tenant) is gone. */
@Injectable()
export class DeletionRepository {
  async insert(tx: TenantTx, d: Pick<DeletionRecord, 'id' | 'scopeType' | 'scopeId' | 'requestedAt' | 'requestedBy'>): Promise<void> {
    await tx.manager.query(
      `INSERT INTO deletions (id, tenant_id, scope_type, scope_id, status, requested_at, requested_by) VALUES ($1, $2, $3, $4, 'pending', $5, $6)`,
      [d.id, tx.tenantId, d.scopeType, d.scopeId, d.requestedAt, JSON.stringify(d.requestedBy)],
    );
  }

  /**
   * Opens the tenant's face-data purge receipt, or returns the one already pending (a unique partial
   * index allows one at a time). `created` tells whether this call opened it.
   */
  async openFaceDataPurge(tx: TenantTx, d: Pick<DeletionRecord, 'id' | 'requestedAt' | 'requestedBy'>): Promise<{ id: string; created: boolean }> {
    const inserted = (await tx.manager.query(
      `INSERT INTO deletions (id, tenant_id, scope_type, scope_id, status, requested_at, requested_by) VALUES ($1, $2, 'face_data', NULL, 'pending', $3, $4)
       ON CONFLICT (tenant_id) WHERE scope_type = 'face_data' AND status = 'pending' DO NOTHING RETURNING id`,
      [d.id, tx.tenantId, d.requestedAt, JSON.stringify(d.requestedBy)],
    )) as { id: string }[];
    if (inserted.length > 0) return { id: d.id, created: true };
    const [open] = (await tx.manager.query(`SELECT id FROM deletions WHERE tenant_id = $1 AND scope_type = 'face_data' AND status = 'pending'`, [tx.tenantId])) as {
      id: string;
    }[];
    if (!open) throw new Error('a pending face-data purge vanished while joining it');
    return { id: open.id, created: false };
  }

  /** Creates the receipt unless it exists (a retried job re-creates nothing); true when created. */
  async insertIfAbsent(tx: TenantTx, d: Pick<DeletionRecord, 'id' | 'scopeType' | 'scopeId' | 'requestedAt' | 'requestedBy'>): Promise<boolean> {
    const rows = (await tx.manager.query(
      `INSERT INTO deletions (id, tenant_id, scope_type, scope_id, status, requested_at, requested_by) VALUES ($1, $2, $3, $4, 'pending', $5, $6)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [d.id, tx.tenantId, d.scopeType, d.scopeId, d.requestedAt, JSON.stringify(d.requestedBy)],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Adds to a pending receipt's counts and verification tallies (a purge in batches records each
   * batch in the transaction that erased it, so a killed worker resumes with exact counts).
   */
  async addProgress(tx: TenantTx, id: string, counts: Record<string, number>, verified: Record<string, number> = {}): Promise<DeletionRecord> {
    const [row] = (await tx.manager.query(`SELECT * FROM deletions WHERE id = $1 FOR UPDATE`, [id])) as Row[];
    if (!row) throw new Error(`no deletion ${id}`);
    const add = (base: Record<string, number | null | undefined>, delta: Record<string, number>) => {
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(base)) if (typeof v === 'number') out[k] = v;
      for (const [k, v] of Object.entries(delta)) out[k] = (out[k] ?? 0) + v;
      return out;
    };
    const nextCounts = add(row.counts, counts);
    const nextVerified = add(row.verified, verified);
    await tx.manager.query(`UPDATE deletions SET counts = $2, verified = $3 WHERE id = $1`, [id, JSON.stringify(nextCounts), JSON.stringify(nextVerified)]);
    return toRecord({ ...row, counts: nextCounts, verified: nextVerified });
  }

  async complete(tx: TenantTx | OperatorTx, id: string, outcome: { status: DeletionStatus; counts: DeletionCounts; verified: Record<string, number | null>; error?: string; at: Date }): Promise<void> {
    await tx.manager.query(`UPDATE deletions SET status = $2, counts = $3, verified = $4, error = $5, completed_at = $6 WHERE id = $1`, [
      id,
      outcome.status,
      JSON.stringify(outcome.counts),
      JSON.stringify(outcome.verified),
      outcome.error ?? null,
      outcome.at,
    ]);
  }

  async get(tx: TenantTx | OperatorTx, id: string): Promise<DeletionRecord | null> {
    const rows = (await tx.manager.query(`SELECT * FROM deletions WHERE id = $1`, [id])) as Row[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(tx: TenantTx, limit: number, before?: { requestedAt: Date; id: string }): Promise<DeletionRecord[]> {
    const rows = (await tx.manager.query(
      `SELECT * FROM deletions WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (requested_at, id) < ($2, $3::uuid))
        ORDER BY requested_at DESC, id DESC LIMIT $4`,
      [tx.tenantId, before?.requestedAt ?? null, before?.id ?? null, limit],
    )) as Row[];
    return rows.map(toRecord);
  }
}
