import { Injectable } from '@nestjs/common';
import { type TenantId } from '@app/contracts';
import { AuditAction, AuditService } from '@app/audit';
import { TenantDb, TenantRepository } from '@app/persistence';
import { TenantsError, TenantsErrorCode } from './tenants.error';
import { toTenantView, type TenantView } from './views';

/** Operator: one tenant's summary. Reading it is audited in that tenant's log. */
@Injectable()
export class GetTenant {
  constructor(
    private readonly db: TenantDb,
    private readonly tenants: TenantRepository,
    private readonly audit: AuditService,
  ) {}

  async execute(tenantId: TenantId, requestId: string | null): Promise<TenantView> {
    return this.db.run(tenantId, async (tx) => {
      const tenant = await this.tenants.get(tx);
      if (!tenant) throw new TenantsError(TenantsErrorCode.TenantNotFound, 'No tenant with this id.');
      const counts = await this.tenants.counts(tx);
      await this.audit.record(tx, { actor: { type: 'operator' }, action: AuditAction.TenantRead, target: { type: 'tenant', id: tenantId }, requestId });
      return toTenantView(tenant, counts);
    });
  }
}
