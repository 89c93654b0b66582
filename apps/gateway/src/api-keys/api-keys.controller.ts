import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyId, Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { CreateApiKey, ListApiKeys, RevokeApiKey } from '@app/tenants';
import { callerContext } from '../http/caller-context';
import { ApiAuthenticated, ApiConflict, ApiNotFound } from '../http/api-responses.decorator';
import { ApiKeyCreatedDto, ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, ListApiKeysQueryDto } from './api-keys.dto';

@ApiTags('api-keys')
@ApiAuthenticated()
@Roles(Role.Admin)
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly createApiKey: CreateApiKey,
    private readonly listApiKeys: ListApiKeys,
    private readonly revokeApiKey: RevokeApiKey,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key (admin)', description: 'The key is returned once and stored only as a hash.' })
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  create(@Body() body: CreateApiKeyDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<ApiKeyCreatedDto> {
    return this.createApiKey.execute(callerContext(caller, req), body.name, body.role);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys without secrets (admin)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@Query() query: ListApiKeysQueryDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<ApiKeyListDto> {
    return { items: await this.listApiKeys.execute(callerContext(caller, req), query.includeRevoked ?? false) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key (admin); effective immediately' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFound('API key')
  @ApiConflict('The tenant\'s last active admin key cannot be revoked')
  revoke(@Param('id', new ParseUUIDPipe()) id: string, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<ApiKeyDto> {
    return this.revokeApiKey.execute(callerContext(caller, req), ApiKeyId.parse(id));
  }
}
