import { Injectable } from '@nestjs/common';
import { TenantDb, TenantRepository } from '@app/persistence';
import { decodeCursor, encodeCursor } from './cursor';

export interface TenantListItem {
  tenantId: string;
  name: string;
  kmsKeyId: string | null;
  createdAt: string;
}

/** Operator: every tenant, newest first, keyset-paginated. */
@Injectable()
export class ListTenants {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
  ) {}

  async execute(limit: number, cursor?: string): Promise<{ items: TenantListItem[]; nextCursor: string | null }> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.db.runAsOperator((tx) =>
      this.tenants.list(tx, limit + 1, after ? { createdAt: new Date(after.t), id: after.id } : undefined),
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((t) => ({ tenantId: t.id, name: t.name, kmsKeyId: t.kmsKeyId, createdAt: t.createdAt.toISOString() })),
      nextCursor: rows.length > limit && last ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id }) : null,
    };
  }
}
