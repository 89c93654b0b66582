import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Response } from 'express';
import { once } from 'node:events';
import { Role } from '@app/contracts';
import { AuditAction, AuditQueryService, AuditService } from '@app/audit';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { ApiAuthenticated } from '../http/api-responses.decorator';
import { GatewayError, GatewayErrorCode } from '../http/gateway.error';
import { AUDIT_CSV_HEADER, auditCsvRow } from './audit-csv';
import { AuditExportQueryDto, AuditListDto, AuditListQueryDto, AuditRangeQueryDto, ChainVerificationDto } from './audit.dto';

const date = (v?: string) => (v ? new Date(v) : undefined);

@ApiTags('audit')
@ApiAuthenticated()
@Roles(Role.Auditor, Role.Admin)
@Controller('v1/audit-events')
export class AuditController {
  constructor(
    private readonly query: AuditQueryService,
    private readonly audit: AuditService,
  ) {}

  private actor(p: ApiKeyPrincipal) {
    return { type: 'apiKey' as const, keyId: p.keyId, role: p.role };
  }

  @Get()
  @ApiOperation({ summary: 'Audit events, newest first (auditor, admin)' })
  @ApiOkResponse({ type: AuditListDto })
  async list(@Query() q: AuditListQueryDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<AuditListDto> {
    let beforeSeq: number | undefined;
    if (q.cursor) {
      beforeSeq = Number(Buffer.from(q.cursor, 'base64url').toString('utf8'));
      if (!Number.isSafeInteger(beforeSeq) || beforeSeq < 1) throw new GatewayError(GatewayErrorCode.Validation, 'The cursor is not valid.', [{ field: 'cursor', messages: ['not a cursor this API issued'] }]);
    }
    const limit = q.limit ?? 100;
    const rows = await this.audit.list(caller.tenantId, { from: date(q.from), to: date(q.to), action: q.action, actorKeyId: q.actorKeyId, beforeSeq, limit: limit + 1 });
    await this.audit.recordAlone(caller.tenantId, { actor: this.actor(caller), action: AuditAction.AuditRead, target: { type: 'audit', id: null }, details: { events: Math.min(rows.length, limit) }, requestId: req.requestId ?? null });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, nextCursor: rows.length > limit && last ? Buffer.from(String(last.seq)).toString('base64url') : null };
  }

  @Get('export')
  @ApiOperation({ summary: 'Stream the audit log as JSON lines or CSV, oldest first (auditor, admin)', description: 'Header `Facesearch-Chain-Head`: the chain head when the export started.' })
  @ApiProduces('application/x-ndjson', 'text/csv')
  async export(@Query() q: AuditExportQueryDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const format = q.format ?? 'jsonl';
    const range = { from: date(q.from), to: date(q.to), action: q.action };
    // Recorded first, so the export itself is in the log it exports (and in its chain head).
    await this.audit.recordAlone(caller.tenantId, { actor: this.actor(caller), action: AuditAction.AuditExported, target: { type: 'audit', id: null }, details: { format }, requestId: req.requestId ?? null });
    const head = await this.query.head(caller.tenantId);
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-events.${format}"`);
    res.setHeader('Facesearch-Chain-Head', head ?? '');
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') res.write(AUDIT_CSV_HEADER);
    try {
      for await (const batch of this.query.stream(caller.tenantId, range)) {
        const chunk = batch.map((e) => (format === 'csv' ? auditCsvRow(e) : `${JSON.stringify(e)}\n`)).join('');
        // Back-pressure: a slow client holds one batch in memory, never the log.
        if (!res.write(chunk)) await once(res, 'drain');
        if (res.destroyed) return;
      }
    } finally {
      res.end();
    }
  }

  @Get('verify')
  @ApiOperation({ summary: 'Recompute the hash chain (auditor, admin)', description: 'Names the first sequence number that does not check out.' })
  @ApiOkResponse({ type: ChainVerificationDto })
  async verify(@Query() q: AuditRangeQueryDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<ChainVerificationDto> {
    const result = await this.query.verify(caller.tenantId, { from: date(q.from), to: date(q.to) });
    await this.audit.recordAlone(caller.tenantId, {
      actor: this.actor(caller),
      action: AuditAction.AuditVerified,
      target: { type: 'audit', id: null },
      details: { valid: result.valid, events: result.events, ...(result.brokenAtSeq ? { brokenAtSeq: result.brokenAtSeq } : {}) },
      requestId: req.requestId ?? null,
    });
    return result;
  }
}
