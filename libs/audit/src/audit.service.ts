import { Injectable, Logger } from '@nestjs/common';
import { AuditEventId, type TenantId } from '@app/contracts';
import { AuditEventRepository, TenantDb, type TenantTx } from '@app/persistence';
import { type AuditEventView, type AuditInput } from './audit-event';
import { toAuditEventView } from './audit-event.mapper';
import { chainHash, GENESIS_HASH } from './audit-hash';

/** The one way any feature writes to the audit log. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly events: AuditEventRepository,
    private readonly db: TenantDb,
  ) {}

  /** Appends inside the caller's transaction: the event commits if and only if the change does. */
  async record(tx: TenantTx, input: AuditInput, now: Date = new Date()): Promise<AuditEventView> {
    const head = await this.events.lockHead(tx, GENESIS_HASH);
    const actor: AuditEventView['actor'] =
      input.actor.type === 'apiKey' ? { type: 'apiKey', keyId: input.actor.keyId, role: input.actor.role } : { type: input.actor.type };
    const unsigned: Omit<AuditEventView, 'hash'> = {
      eventId: AuditEventId.generate(),
      seq: head.seq + 1,
      // Millisecond precision: exactly what timestamptz keeps of a JS Date, so verify recomputes it.
      at: now.toISOString(),
      tenantId: tx.tenantId,
      actor,
      action: input.action,
      target: { type: input.target.type, id: input.target.id ?? null },
      outcome: input.outcome ?? 'success',
      details: input.details ?? {},
      requestId: input.requestId ?? null,
      prevHash: head.hash,
    };
    const hash = chainHash(unsigned);
    await this.events.append(tx, {
      id: unsigned.eventId,
      seq: unsigned.seq,
      at: now,
      actorType: actor.type,
      actorKeyId: actor.keyId ?? null,
      actorRole: actor.role ?? null,
      action: unsigned.action,
      targetType: unsigned.target.type,
      targetId: unsigned.target.id,
      outcome: unsigned.outcome,
      details: unsigned.details,
      requestId: unsigned.requestId,
      prevHash: unsigned.prevHash,
      hash,
    });
    return { ...unsigned, hash };
  }

  /** For events with no surrounding change (denials, reads): its own short transaction. */
  async recordAlone(tenantId: TenantId, input: AuditInput): Promise<AuditEventView> {
    return this.db.run(tenantId, (tx) => this.record(tx, input));
  }

  /** Best effort for denials: a failing audit write must not turn a 403 into a 500. */
  async recordDenied(tenantId: TenantId, input: AuditInput): Promise<void> {
    try {
      await this.recordAlone(tenantId, { ...input, outcome: 'denied' });
    } catch (err) {
      this.logger.warn({ msg: 'could not record a denied access', tenantId, action: input.action, error: (err as Error).name });
    }
  }

  async list(tenantId: TenantId, filter: Parameters<AuditEventRepository['list']>[1]): Promise<AuditEventView[]> {
    const rows = await this.db.run(tenantId, (tx) => this.events.list(tx, filter));
    return rows.map(toAuditEventView);
  }
}
