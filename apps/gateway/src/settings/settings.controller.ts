import { Body, Controller, Get, Patch, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { GetSettings, UpdateSettings } from '@app/tenants';
import { ApiAuthenticated } from '../http/api-responses.decorator';
import { callerContext } from '../http/caller-context';
import { SettingsDto, UpdateSettingsDto } from './settings.dto';

@ApiTags('settings')
@ApiAuthenticated()
@Roles(Role.Admin)
@Controller('v1/settings')
export class SettingsController {
  constructor(
    private readonly getSettings: GetSettings,
    private readonly updateSettings: UpdateSettings,
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
}
