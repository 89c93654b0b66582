import { Injectable } from '@nestjs/common';
import { ApiKeyId, Role, TenantId } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { issueApiKey } from '@app/auth';
import { TenantKeyService } from '@app/crypto';
import { ApiKeyRepository, TenantDb, TenantRepository } from '@app/persistence';

export interface CreateTenantInput {
  name: string;
  retentionDays?: number;
  kmsKeyId?: string;
  requestId: string | null;
}

export interface CreateTenantResult {
  tenantId: TenantId;
  adminApiKey: string;
  adminApiKeyId: ApiKeyId;
}

/** Operator: a tenant, its first admin key (shown once) and the audit event, in one transaction. */
@Injectable()
export class CreateTenant {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditService,
    private readonly dataKeys: TenantKeyService,
  ) {}

  async execute(input: CreateTenantInput): Promise<CreateTenantResult> {
    const tenantId = TenantId.generate();
    const issued = issueApiKey();
    const keyId = ApiKeyId.generate();
    const started = Date.now();
    // The data key first (a KMS call): if KMS is down the tenant is not created at all (503), and a
    // key whose tenant insert then fails is an unreachable orphan, not a tenant without a key.
    const dataKey = await this.dataKeys.provisionTenant(tenantId, { kmsKeyId: input.kmsKeyId });
    await this.db.run(tenantId, async (tx) => {
      await this.tenants.insert(tx, { name: input.name, kmsKeyId: input.kmsKeyId ?? null, retentionDays: input.retentionDays });
      await this.keys.insert(tx, { id: keyId, name: 'initial admin key', role: Role.Admin, prefix: issued.prefix, secretHash: issued.secretHash, createdBy: 'operator' });
      await this.audit.record(tx, {
        actor: { type: 'operator' },
        action: AuditAction.TenantCreated,
        target: { type: 'tenant', id: tenantId },
        details: { byok: input.kmsKeyId !== undefined, dataKeyVersion: dataKey.version, latencyMs: Date.now() - started },
        requestId: input.requestId,
      });
      await this.audit.record(tx, {
        actor: { type: 'operator' },
        action: AuditAction.ApiKeyCreated,
        target: { type: 'apiKey', id: keyId },
        details: { role: Role.Admin },
        requestId: input.requestId,
      });
    });
    return { tenantId, adminApiKey: issued.token, adminApiKeyId: keyId };
  }
}
