import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { ApiAuthenticated } from '../http/api-responses.decorator';
import { callerContext } from '../http/caller-context';
import { PingWorkerService } from './ping-worker.service';

class PingResultDto {
  @ApiProperty({ description: 'The worker that answered' }) worker: string;
  @ApiProperty({ description: 'Gateway → queue → worker → gateway, in ms' }) roundTripMs: number;
}

@ApiTags('operations')
@ApiAuthenticated()
@Roles(Role.Admin)
@Controller('v1/diagnostics')
export class DiagnosticsController {
  constructor(private readonly pinger: PingWorkerService) {}

  @Post('ping')
  @HttpCode(200)
  @ApiOperation({ summary: 'Round trip through the job queue to an indexer worker (admin)' })
  @ApiOkResponse({ type: PingResultDto })
  ping(@TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<PingResultDto> {
    return this.pinger.ping(callerContext(caller, req));
  }
}
