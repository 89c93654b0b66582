import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { PurgeTenant, RequestTenantDeletion } from './delete-tenant.use-case';
import { GetDeletion, ListDeletions } from './get-deletion.use-case';

const USE_CASES = [RequestTenantDeletion, PurgeTenant, GetDeletion, ListDeletions];

@Module({ imports: [AuditModule], providers: USE_CASES, exports: USE_CASES })
export class DeletionModule {}
