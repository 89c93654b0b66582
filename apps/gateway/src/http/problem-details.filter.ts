import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type Request, type Response } from 'express';
import { AppError, HTTP_STATUS_OF_KIND } from '@app/contracts';
import { GatewayError, GatewayErrorCode } from './gateway.error';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Errors raised by body-parser before any controller runs (Nest wraps them, keeping the cause). */
function fromBodyParser(err: unknown): GatewayError | undefined {
  const e = err as { type?: unknown; cause?: { type?: unknown } } | null;
  const type = e?.type ?? e?.cause?.type;
  switch (type) {
    case 'entity.too.large':
      return new GatewayError(GatewayErrorCode.BodyTooLarge, 'The request body is larger than this server accepts.');
    case 'entity.parse.failed':
      return new GatewayError(GatewayErrorCode.MalformedJson, 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new GatewayError(GatewayErrorCode.UnsupportedMediaType, 'The request body encoding is not supported.');
    default:
      return undefined;
  }
}

/**
 * The one place errors become HTTP responses: RFC 9457 problem+json with an errorId. 500s say
 * nothing about internals; their details go to the log under the same errorId.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { requestId?: string }>();
    const errorId = randomUUID();
    const error = fromBodyParser(exception) ?? exception;

    let status: number;
    let code: string | undefined;
    let detail: string;
    let extra: Record<string, unknown> = {};
    let retryAfter: number | undefined;

    if (error instanceof AppError) {
      status = HTTP_STATUS_OF_KIND[error.kind];
      code = error.code;
      detail = error.detail;
      retryAfter = error.retryAfterSeconds;
      if (error instanceof GatewayError && error.fieldErrors) extra = { errors: error.fieldErrors };
    } else if (error instanceof HttpException) {
      status = error.getStatus();
      const body = error.getResponse();
      detail = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
      if (status === 404) code = GatewayErrorCode.RouteNotFound;
      // Multer's file size limit: API.md's code for an image over the byte limit.
      if (status === 413) code = 'too_large';
    } else {
      status = 500;
      detail = 'An unexpected error occurred. Quote the errorId when reporting it.';
    }

    if (status === 503) {
      // A dependency is down: expected operationally, so no stack, just what is down.
      this.logger.warn({ msg: 'dependency unavailable', errorId, requestId: req.requestId, code });
    } else if (status >= 500) {
      const err = error as Error;
      const cause = (err as { cause?: { name?: string; code?: string; message?: string } }).cause;
      this.logger.error({
        msg: 'request failed',
        errorId,
        requestId: req.requestId,
        status,
        code,
        error: { name: err?.name, message: err?.message, stack: err?.stack },
        cause: cause ? { name: cause.name, code: cause.code } : undefined,
      });
    }
    if (status === 429 || status === 503) res.setHeader('Retry-After', String(retryAfter ?? 5));

    res
      .status(status)
      .type('application/problem+json')
      .json({
        type: code ? `urn:facesearch:problem:${code}` : 'about:blank',
        title: TITLES[status] ?? 'Error',
        status,
        detail,
        ...(code ? { code } : {}),
        errorId,
        ...(req.requestId ? { requestId: req.requestId } : {}),
        ...extra,
      });
  }
}
