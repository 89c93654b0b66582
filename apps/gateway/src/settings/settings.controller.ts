import { Body, Controller, Get, HttpCode, Patch, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { GetSettings, RequestDataKeyRotation, UpdateSettings } from '@app/tenants';
import { ApiAuthenticated } from '../http/api-responses.decorator';
import { callerContext } from '../http/caller-context';
import { DataKeyRotationDto, SettingsDto, UpdateSettingsDto } from './settings.dto';

@ApiTags('settings')
@ApiAuthenticated()
@Roles(Role.Admin)
@Controller('v1/settings')
export class SettingsController {
  constructor(
    private readonly getSettings: GetSettings,
    private readonly updateSettings: UpdateSettings,
    private readonly rotateDataKey: RequestDataKeyRotation,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Read tenant settings (admin)' })
  @ApiOkResponse({ type: SettingsDto })
  get(@TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<SettingsDto> {
    return this.getSettings.execute(callerContext(caller, req));
  }

  @Patch()
  @ApiOperation({ summary: 'Change tenant settings (admin)' })
  @ApiOkResponse({ type: SettingsDto })
  update(@Body() body: UpdateSettingsDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<SettingsDto> {
    return this.updateSettings.execute(callerContext(caller, req), { ...body });
  }

  @Post('rotate-data-key')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rotate the tenant data key (admin)',
    description: 'A new key version is used for new data at once; stored embeddings and snapshots are re-encrypted in the background, then the old version is destroyed. Reads keep working throughout.',
  })
  @ApiAcceptedResponse({ type: DataKeyRotationDto })
  rotate(@TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<DataKeyRotationDto> {
    return this.rotateDataKey.execute(callerContext(caller, req));
  }
}
