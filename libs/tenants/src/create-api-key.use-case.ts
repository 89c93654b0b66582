import { Injectable } from '@nestjs/common';
import { ApiKeyId, type Role } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { issueApiKey } from '@app/auth';
import { ApiKeyRepository, TenantDb } from '@app/persistence';
import { actorOf, type TenantCallerContext } from './caller';

export interface CreatedApiKey {
  id: ApiKeyId;
  key: string;
  role: Role;
  name: string;
}

/** Admin: a new key for the caller's tenant; the secret is returned once and stored only hashed. */
@Injectable()
export class CreateApiKey {
  constructor(
    private readonly db: TenantDb,
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditService,
  ) {}

  async execute(caller: TenantCallerContext, name: string, role: Role): Promise<CreatedApiKey> {
    const issued = issueApiKey();
    const id = ApiKeyId.generate();
    await this.db.run(caller.tenantId, async (tx) => {
      await this.keys.insert(tx, { id, name, role, prefix: issued.prefix, secretHash: issued.secretHash, createdBy: caller.keyId });
      await this.audit.record(tx, {
        actor: actorOf(caller),
        action: AuditAction.ApiKeyCreated,
        target: { type: 'apiKey', id },
        details: { role },
        requestId: caller.requestId,
      });
    });
    return { id, key: issued.token, role, name };
  }
}
