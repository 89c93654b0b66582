import { Injectable } from '@nestjs/common';
import { ApiKeyRepository, TenantDb } from '@app/persistence';
import { type TenantCallerContext } from './caller';
import { toApiKeyView, type ApiKeyView } from './views';

/** Admin: the tenant's keys, without secrets or hashes. */
@Injectable()
export class ListApiKeys {
  constructor(
    private readonly db: TenantDb,
    private readonly keys: ApiKeyRepository,
  ) {}

  async execute(caller: TenantCallerContext, includeRevoked: boolean): Promise<ApiKeyView[]> {
    const rows = await this.db.run(caller.tenantId, (tx) => this.keys.list(tx, includeRevoked));
    return rows.map(toApiKeyView);
  }
}
