import { type ArgumentsHost, BadRequestException, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type Response } from 'express';
import { AppError, HTTP_STATUS_OF_KIND } from '@app/contracts';
import { IndexServiceErrorCode } from '../vector-index.error';

/** problem+json for the internal API: `code` is what @app/vector-client maps; 5xx details go to the log only. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let code: string | undefined;
    let detail = 'The vector index failed.';
    let retryAfter: number | undefined;
    if (exception instanceof AppError) {
      status = HTTP_STATUS_OF_KIND[exception.kind];
      code = exception.code;
      detail = exception.detail;
      retryAfter = exception.retryAfterSeconds;
    } else if (exception instanceof BadRequestException) {
      status = 400;
      code = IndexServiceErrorCode.InvalidRequest;
      detail = 'The request is malformed.';
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      detail = exception.message;
      // body-parser's limit: a batch too big for one request.
      if (status === 413) code = IndexServiceErrorCode.InvalidRequest;
    }
    const errorId = randomUUID();
    if (status >= 500 && status !== 503) {
      const err = exception as Error;
      const cause = (err as { cause?: { name?: string; code?: string; message?: string } }).cause;
      this.logger.error({ msg: 'request failed', errorId, status, code, error: { name: err?.name, message: err?.message, stack: err?.stack }, cause: cause ? { name: cause.name, code: cause.code, message: cause.message } : undefined });
    }
    if (status === 503) res.setHeader('Retry-After', String(retryAfter ?? 5));
    res
      .status(status)
      .type('application/problem+json')
      .json({ type: code ? `urn:facesearch:problem:${code}` : 'about:blank', status, detail, ...(code ? { code } : {}), errorId });
  }
}
