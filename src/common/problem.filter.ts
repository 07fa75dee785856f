import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { INPUT_MESSAGES } from './input-messages.js';
import { pathOf } from './logging.js';
import { Problem, problemTitle } from './problem.js';

interface StatusError {
  statusCode?: number;
  status?: number;
  code?: string;
}

/**
 * What the client is told about Fastify's own refusals, by error code: a fixed text, never
 * the error's message (which can quote the URL, the parser's position or internal names).
 */
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: INPUT_MESSAGES.tooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: INPUT_MESSAGES.mediaType(['application/json']),
  FST_ERR_CTP_EMPTY_JSON_BODY: INPUT_MESSAGES.emptyJson,
  FST_ERR_BAD_URL: INPUT_MESSAGES.badUrl,
  FST_ERR_MAX_PARAM_LENGTH: INPUT_MESSAGES.paramTooLong,
};

type ProblemBody = Record<string, unknown> & { status: number };

/**
 * The RFC 9457 body for any error: a `Problem` as raised, a Nest `HttpException`, a client
 * error raised by Fastify (also when Nest wrapped it in an HttpException), else a bare 500.
 */
export function problemBody(exception: unknown): ProblemBody {
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
    // Nest wraps Fastify's client errors (parsers, body limit) with the original as cause.
    if (exception.cause !== undefined && clientStatus(exception.cause) !== null) {
      return fastifyProblem(exception.cause as StatusError);
    }
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
  if (clientStatus(exception) !== null) return fastifyProblem(exception as StatusError);
  return {
    type: '/problems/internal',
    title: problemTitle(500),
    status: 500,
    detail: 'An unexpected error occurred',
  };
}

function clientStatus(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const { statusCode, status } = err as StatusError;
  const code = statusCode ?? status;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : null;
}

function fastifyProblem(err: StatusError): ProblemBody {
  const status = clientStatus(err)!;
  const detail =
    (err.code && FASTIFY_DETAILS[err.code]) ??
    (err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError
      ? INPUT_MESSAGES.malformedJson
      : problemTitle(status));
  return { type: `/problems/http-${status}`, title: problemTitle(status), status, detail };
}

/** Every error leaves as application/problem+json; nothing internal (stack, SQL) is shown. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = problemBody(exception);
    if (body.status >= 500) {
      // The request's logger, so the line carries its reqId.
      const log = request?.log;
      if (log) log.error({ err: exception, url: pathOf(request.url) }, 'unhandled error');
      else this.logger.error({ err: exception }, 'unhandled error');
    }
    if (exception instanceof Problem) {
      for (const [k, v] of Object.entries(exception.headers)) void reply.header(k, v);
    }
    void reply.status(body.status).header('content-type', 'application/problem+json').send(body);
  }
}
