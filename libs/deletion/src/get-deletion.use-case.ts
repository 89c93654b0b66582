import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { type AuditActor, AuditAction, AuditService } from '@app/audit';
import { DeletionRepository, TenantDb } from '@app/persistence';
import { DeletionError, DeletionErrorCode } from './deletion.error';
import { toReceiptView, type ReceiptView } from './receipt.view';

export type ReceiptReader = { kind: 'tenant'; tenantId: TenantId; actor: AuditActor; requestId: string | null } | { kind: 'operator' };

/** Receipts for tenant admins and auditors (their tenant's), and for the operator (any, e.g. a deleted tenant's). */
@Injectable()
export class GetDeletion {
  constructor(
    private readonly db: TenantDb,
    private readonly deletions: DeletionRepository,
    private readonly audit: AuditService,
  ) {}

  async execute(reader: ReceiptReader, deletionId: string): Promise<ReceiptView> {
    const record =
      reader.kind === 'operator'
        ? await this.db.runAsOperator((tx) => this.deletions.get(tx, deletionId))
        : await this.db.run(reader.tenantId, async (tx) => {
            const found = await this.deletions.get(tx, deletionId);
            if (found) {
              await this.audit.record(tx, { actor: reader.actor, action: AuditAction.DeletionRead, target: { type: 'deletion', id: deletionId }, requestId: reader.requestId });
            }
            return found;
          });
    if (!record) throw new DeletionError(DeletionErrorCode.DeletionNotFound, 'No deletion with this id.');
    return toReceiptView(record);
  }
}

@Injectable()
export class ListDeletions {
  constructor(
    private readonly db: TenantDb,
    private readonly deletions: DeletionRepository,
  ) {}

  async execute(tenantId: TenantId, limit: number, cursor?: string): Promise<{ items: ReceiptView[]; nextCursor: string | null }> {
    let before: { requestedAt: Date; id: string } | undefined;
    if (cursor) {
      const [t, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
      if (!t || !id || Number.isNaN(Date.parse(t))) throw new DeletionError(DeletionErrorCode.DeletionNotFound, 'Unknown cursor.');
      before = { requestedAt: new Date(t), id };
    }
    const rows = await this.db.run(tenantId, (tx) => this.deletions.list(tx, limit + 1, before));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toReceiptView),
      nextCursor: rows.length > limit && last ? Buffer.from(`${last.requestedAt.toISOString()}|${last.id}`).toString('base64url') : null,
    };
  }
}
