import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type Response } from 'express';
import { type AuthenticatedRequest } from '@app/auth';
import { MetricsService } from '@app/observability';
import { GatewayError, GatewayErrorCode } from '../http/gateway.error';
import { RateLimiter } from './rate-limiter.service';

/** Runs after AuthGuard: meters each authenticated credential (public routes are not metered). */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly metrics: MetricsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const principal = http.getRequest<AuthenticatedRequest>().principal;
    if (!principal) return true;
    const subject = principal.kind === 'apiKey' ? `key:${principal.keyId}` : 'operator';
    const decision = await this.limiter.consume(subject);
    const res = http.getResponse<Response>();
    if (decision.allowed === 'unavailable') {
      throw new GatewayError(GatewayErrorCode.RateLimiterUnavailable, 'Rate limiting is unavailable, so the request was refused; retry shortly.', undefined, 5);
    }
    res.setHeader('RateLimit-Limit', String(decision.limit));
    if (decision.allowed === false) {
      this.metrics.rateLimited.inc();
      res.setHeader('RateLimit-Remaining', '0');
      throw new GatewayError(GatewayErrorCode.RateLimited, 'Too many requests for this API key; retry after the indicated delay.', undefined, decision.retryAfterSeconds);
    }
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
    return true;
  }
}
