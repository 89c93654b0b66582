import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { AuditEventRepository, TenantDb } from '@app/persistence';
import { type AuditEventView } from './audit-event';
import { toAuditEventView } from './audit-event.mapper';
import { chainHash, GENESIS_HASH } from './audit-hash';

export interface AuditRange {
  from?: Date;
  to?: Date;
  action?: string;
}

export interface ChainVerification {
  valid: boolean;
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  head: string | null;
  /** The first sequence number whose event or link does not check out. */
  brokenAtSeq?: number;
  reason?: 'hash_mismatch' | 'broken_link' | 'missing_event';
}

const BATCH = 1000;

/** Reading the audit log back: pages, a streamed export, and the hash-chain verification. */
@Injectable()
export class AuditQueryService {
  constructor(
    private readonly db: TenantDb,
    private readonly events: AuditEventRepository,
  ) {}

  async head(tenantId: TenantId): Promise<string | null> {
    return (await this.db.run(tenantId, (tx) => this.events.head(tx)))?.hash ?? null;
  }

  /** Oldest first, a batch per short transaction: memory stays flat however long the log is. */
  async *stream(tenantId: TenantId, range: AuditRange): AsyncGenerator<AuditEventView[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db.run(tenantId, (tx) => this.events.listAscending(tx, after, BATCH, range));
      if (rows.length === 0) return;
      yield rows.map(toAuditEventView);
      after = Number(rows[rows.length - 1].seq);
      if (rows.length < BATCH) return;
    }
  }

  /**
   * Recomputes every hash in the range and checks each link to the event before it, and that no
   * sequence number is missing. A range that starts mid-chain trusts its first event's prevHash.
   */
  async verify(tenantId: TenantId, range: Omit<AuditRange, 'action'>): Promise<ChainVerification> {
    let count = 0;
    let first: number | null = null;
    let last: number | null = null;
    let prevHash: string | null = null;
    let prevSeq: number | null = null;
    for await (const batch of this.stream(tenantId, range)) {
      for (const e of batch) {
        const { hash, ...unsigned } = e;
        if (first === null) {
          first = e.seq;
          if (e.seq === 1 && e.prevHash !== GENESIS_HASH) return this.broken(count, first, e.seq, 'broken_link');
        } else if (prevSeq !== null && e.seq !== prevSeq + 1) {
          return this.broken(count, first, prevSeq + 1, 'missing_event');
        } else if (e.prevHash !== prevHash) {
          return this.broken(count, first, e.seq, 'broken_link');
        }
        if (chainHash(unsigned) !== hash) return this.broken(count, first, e.seq, 'hash_mismatch');
        count++;
        prevHash = hash;
        prevSeq = e.seq;
        last = e.seq;
      }
    }
    return { valid: true, events: count, firstSeq: first, lastSeq: last, head: prevHash };
  }

  private broken(events: number, first: number, at: number, reason: ChainVerification['reason']): ChainVerification {
    return { valid: false, events, firstSeq: first, lastSeq: null, head: null, brokenAtSeq: at, reason };
  }
}
