import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@app/contracts';
import { type AuthenticatedRequest, OperatorOnly } from '@app/auth';
import { RequestTenantDeletion } from '@app/deletion';
import { CreateTenant, GetTenant, ListTenants } from '@app/tenants';
import { ApiAuthenticated, ApiNotFound } from '../http/api-responses.decorator';
import { PaginationQueryDto } from '../http/pagination.dto';
import { CreateTenantDto, TenantCreatedDto, TenantDeletionDto, TenantDto, TenantListDto } from './tenants.dto';

@ApiTags('tenants')
@ApiAuthenticated()
@OperatorOnly()
@Controller('v1/tenants')
export class TenantsController {
  constructor(
    private readonly createTenant: CreateTenant,
    private readonly getTenant: GetTenant,
    private readonly listTenants: ListTenants,
    private readonly deleteTenant: RequestTenantDeletion,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a tenant (operator)', description: 'Returns the tenant id and its first admin API key, shown once.' })
  @ApiCreatedResponse({ type: TenantCreatedDto })
  async create(@Body() body: CreateTenantDto, @Req() req: AuthenticatedRequest): Promise<TenantCreatedDto> {
    const { tenantId, adminApiKey } = await this.createTenant.execute({ ...body, requestId: req.requestId ?? null });
    return { tenantId, adminApiKey };
  }

  @Get()
  @ApiOperation({ summary: 'List tenants (operator)' })
  @ApiOkResponse({ type: TenantListDto })
  list(@Query() query: PaginationQueryDto): Promise<TenantListDto> {
    return this.listTenants.execute(query.limit ?? 100, query.cursor);
  }

  @Get(':tenantId')
  @ApiOperation({ summary: 'Get a tenant summary (operator)' })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFound('Tenant')
  get(@Param('tenantId', new ParseUUIDPipe()) tenantId: string, @Req() req: AuthenticatedRequest): Promise<TenantDto> {
    return this.getTenant.execute(TenantId.parse(tenantId), req.requestId ?? null);
  }

  @Delete(':tenantId')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Delete a tenant and all its data (operator)',
    description: 'Revokes every key at once, then purges in the background: data keys destroyed first (crypto-shredding), then rows, index entries and snapshots. Follow the receipt at GET /v1/deletions/{deletionId}.',
  })
  @ApiAcceptedResponse({ type: TenantDeletionDto })
  @ApiNotFound('Tenant')
  remove(@Param('tenantId', new ParseUUIDPipe()) tenantId: string, @Req() req: AuthenticatedRequest): Promise<TenantDeletionDto> {
    return this.deleteTenant.execute(TenantId.parse(tenantId), req.requestId ?? null);
  }
}
