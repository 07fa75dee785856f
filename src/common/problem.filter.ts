import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem, problemTitle } from './problem.js';

interface StatusError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

/** Every error leaves as application/problem+json; nothing internal (stack, SQL) is shown. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = this.toBody(exception);
    if (body.status >= 500) {
      // The request's logger, so the line carries its reqId.
      const log = request?.log;
      if (log) log.error({ err: exception, url: request.url }, 'unhandled error');
      else this.logger.error({ err: exception }, 'unhandled error');
    }
    if (exception instanceof Problem) {
      for (const [k, v] of Object.entries(exception.headers)) void reply.header(k, v);
    }
    void reply.status(body.status).header('content-type', 'application/problem+json').send(body);
  }

  private toBody(exception: unknown): Record<string, unknown> & { status: number } {
    if (exception instanceof Problem) {
      const status = exception.getStatus();
      return {
        type: `/problems/${exception.slug}`,
        title: problemTitle(status),
        status,
        detail: exception.message,
        ...(exception.errors ? { errors: exception.errors } : {}),
        ...exception.extra,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : exception.message;
      return { type: `/problems/http-${status}`, title: problemTitle(status), status, detail };
    }
    // Errors raised by Fastify itself (body limit, malformed JSON, media type).
    const err = exception as StatusError;
    const status = err?.statusCode ?? err?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const detail =
        status === 413
          ? 'Request body exceeds 1 MiB'
          : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Content-Type must be application/json'
            : err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError
              ? 'Malformed JSON body'
              : (err.message ?? problemTitle(status));
      return { type: `/problems/http-${status}`, title: problemTitle(status), status, detail };
    }
    return {
      type: '/problems/internal',
      title: problemTitle(500),
      status: 500,
      detail: 'An unexpected error occurred',
    };
  }
}
