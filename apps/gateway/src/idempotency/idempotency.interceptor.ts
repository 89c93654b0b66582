import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { type Request, type Response } from 'express';
import { catchError, from, type Observable, of, switchMap, throwError } from 'rxjs';
import { type AuthenticatedRequest } from '@app/auth';
import { GatewayError, GatewayErrorCode } from '../http/gateway.error';
import { IdempotencyStore } from './idempotency.store';

const KEY_RE = /^[A-Za-z0-9._:-]{8,255}$/;

/**
 * API.md: POSTs that create work accept `Idempotency-Key`. The first request with a key runs; a retry
 * with the same key and the same request gets the first response again (also its status); the same
 * key with a different request, or while the first is still running, is 409. Error answers are not
 * kept, so a request that failed may simply be retried.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & AuthenticatedRequest>();
    const header = req.headers['idempotency-key'];
    if (req.method !== 'POST' || header === undefined) return next.handle();
    // Multipart bodies are parsed after global interceptors, so they cannot be fingerprinted here;
    // the routes that take uploads are idempotent by design (the job id derives from the image).
    if ((req.headers['content-type'] ?? '').startsWith('multipart/')) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_RE.test(key)) {
      throw new GatewayError(GatewayErrorCode.Validation, 'Idempotency-Key must be 8-255 characters of A-Za-z0-9._:-', [
        { field: 'Idempotency-Key', messages: ['8-255 characters of A-Za-z0-9._:-'] },
      ]);
    }
    const p = req.principal;
    const subject = p?.kind === 'apiKey' ? `key:${p.keyId}` : 'operator';
    const fingerprint = createHash('sha256').update(`${req.method} ${req.originalUrl}\0${JSON.stringify(req.body ?? null)}`).digest('hex');
    const res = http.getResponse<Response>();

    return from(this.store.claim(subject, key)).pipe(
      switchMap((claim) => {
        switch (claim.kind) {
          case 'in_progress':
            throw new GatewayError(GatewayErrorCode.IdempotencyConflict, 'A request with this Idempotency-Key is still being processed; retry shortly.', undefined, 1);
          case 'done':
            if (claim.response.fingerprint !== fingerprint) {
              throw new GatewayError(GatewayErrorCode.IdempotencyConflict, 'This Idempotency-Key was used for a different request.');
            }
            res.status(claim.response.status).setHeader('Idempotent-Replayed', 'true');
            return of(claim.response.body);
          case 'new':
            return next.handle().pipe(
              switchMap((body: unknown) => from(this.store.complete(subject, key, { status: res.statusCode, body, fingerprint }).then(() => body))),
              catchError((err: unknown) => from(this.store.release(subject, key)).pipe(switchMap(() => throwError(() => err)))),
            );
        }
      }),
    );
  }
}
