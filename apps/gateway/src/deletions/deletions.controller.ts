import { Controller, Get, Param, ParseUUIDPipe, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, CurrentPrincipal, type Principal, Roles, RolesOrOperator, TenantCaller } from '@app/auth';
import { GetDeletion, ListDeletions } from '@app/deletion';
import { ApiAuthenticated, ApiNotFound } from '../http/api-responses.decorator';
import { PaginationQueryDto } from '../http/pagination.dto';
import { ReceiptDto, ReceiptListDto } from './deletions.dto';

@ApiTags('deletion')
@ApiAuthenticated()
@Controller('v1/deletions')
export class DeletionsController {
  constructor(
    private readonly getDeletion: GetDeletion,
    private readonly listDeletions: ListDeletions,
  ) {}

  @Get(':deletionId')
  @RolesOrOperator(Role.Admin, Role.Auditor)
  @ApiOperation({ summary: 'A deletion receipt (admin, auditor; the operator for tenant deletions)' })
  @ApiOkResponse({ type: ReceiptDto })
  @ApiNotFound('Deletion')
  get(@Param('deletionId', new ParseUUIDPipe()) deletionId: string, @CurrentPrincipal() p: Principal, @Req() req: AuthenticatedRequest): Promise<ReceiptDto> {
    return this.getDeletion.execute(
      p.kind === 'operator'
        ? { kind: 'operator' }
        : { kind: 'tenant', tenantId: p.tenantId, actor: { type: 'apiKey', keyId: p.keyId, role: p.role }, requestId: req.requestId ?? null },
      deletionId,
    );
  }

  @Get()
  @Roles(Role.Admin, Role.Auditor)
  @ApiOperation({ summary: 'Deletion receipts of the tenant, newest first (admin, auditor)' })
  @ApiOkResponse({ type: ReceiptListDto })
  list(@Query() query: PaginationQueryDto, @TenantCaller() caller: ApiKeyPrincipal): Promise<ReceiptListDto> {
    return this.listDeletions.execute(caller.tenantId, query.limit ?? 100, query.cursor);
  }
}
