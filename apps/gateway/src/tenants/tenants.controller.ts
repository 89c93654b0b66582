import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@app/contracts';
import { type AuthenticatedRequest, OperatorOnly } from '@app/auth';
import { CreateTenant, GetTenant, ListTenants } from '@app/tenants';
import { ApiAuthenticated, ApiNotFound } from '../http/api-responses.decorator';
import { PaginationQueryDto } from '../http/pagination.dto';
import { CreateTenantDto, TenantCreatedDto, TenantDto, TenantListDto } from './tenants.dto';

@ApiTags('tenants')
@ApiAuthenticated()
@OperatorOnly()
@Controller('v1/tenants')
export class TenantsController {
  constructor(
    private readonly createTenant: CreateTenant,
    private readonly getTenant: GetTenant,
    private readonly listTenants: ListTenants,
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
}
