import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type NextFunction, type Request, type Response } from 'express';
import { type AuthenticatedRequest } from '@app/auth';
import { MetricsService } from '@app/observability';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when well-formed), and when it ends logs
 * one line with ids, status and duration, and records metrics. Never headers or bodies.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Http');

  constructor(private readonly metrics: MetricsService) {}

  use(req: Request & AuthenticatedRequest, res: Response, next: NextFunction): void {
    const given = req.headers['x-request-id'];
    req.requestId = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      this.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics.httpDuration.observe({ method: req.method, route }, seconds);
      const p = req.principal;
      this.logger.log({
        msg: 'request',
        requestId: req.requestId,
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000 * 10) / 10,
        ...(p?.kind === 'apiKey' ? { tenantId: p.tenantId, keyId: p.keyId } : p ? { actor: 'operator' } : {}),
      });
    });
    next();
  }
}
