import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { CreateApiKey } from './create-api-key.use-case';
import { CreateTenant } from './create-tenant.use-case';
import { GetTenant } from './get-tenant.use-case';
import { ListApiKeys } from './list-api-keys.use-case';
import { ListTenants } from './list-tenants.use-case';
import { RevokeApiKey } from './revoke-api-key.use-case';
import { CompleteDataKeyRotation, RequestDataKeyRotation } from './rotate-data-key.use-case';
import { GetSettings, UpdateSettings } from './settings.use-case';

const USE_CASES = [CreateTenant, GetTenant, ListTenants, CreateApiKey, ListApiKeys, RevokeApiKey, GetSettings, UpdateSettings, RequestDataKeyRotation, CompleteDataKeyRotation];

@Module({ imports: [AuditModule], providers: USE_CASES, exports: USE_CASES })
export class TenantsModule {}
