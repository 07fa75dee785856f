import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocale, type Locale, msg, type Msg, negotiateLocale, render, t } from '../i18n/i18n.js';
import { Problem } from './problem.js';

interface StatusError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

/**
 * The language of a request's problems: `Accept-Language` (q-values honoured), else the
 * session user's own `locale` when a principal carries one, else English.
 */
export function requestLocale(request: FastifyRequest | undefined): Locale {
  const principal = (request as { principal?: { locale?: unknown } } | undefined)?.principal;
  const header = request?.headers?.['accept-language'];
  return negotiateLocale(
    typeof header === 'string' ? header : undefined,
    isLocale(principal?.locale) ? principal.locale : undefined,
  );
}

/** Every error leaves as application/problem+json; nothing internal (stack, SQL) is shown. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = problemBody(exception, requestLocale(request));
    if (body.status >= 500) {
      // The request's logger, so the line carries its reqId.
      const log = request?.log;
      if (log) log.error({ err: exception, url: request.url }, 'unhandled error');
      else this.logger.error({ err: exception }, 'unhandled error');
    }
    if (exception instanceof Problem) {
      for (const [k, v] of Object.entries(exception.headers)) void reply.header(k, v);
    }
    void reply
      .status(body.status)
      .header('content-type', 'application/problem+json')
      .header('content-language', body.locale)
      .header('vary', 'Accept-Language')
      .send(body.problem);
  }
}

/** The problem+json body of any error, in `locale`; `type` and `field` never depend on it. */
export function problemBody(
  exception: unknown,
  locale: Locale,
): { status: number; locale: Locale; problem: Record<string, unknown> } {
  const { status, slug, detail, errors, extra } = describe(exception);
  const rendered = errors?.map((e) => ({ field: e.field, message: render(locale, e.message) }));
  const problem = {
    type: `/problems/${slug}`,
    title: t(locale, 'problem.title', { status: String(status) }),
    status,
    detail: rendered
      ? rendered
          .map((e) => t(locale, 'problem.validation.item', { field: e.field, message: e.message }))
          .join('; ')
      : render(locale, detail),
    ...(rendered ? { errors: rendered } : {}),
    ...extra,
  };
  return { status, locale, problem };
}

interface Described {
  status: number;
  slug: string;
  detail: Msg | string;
  errors?: Problem['errors'];
  extra?: Record<string, unknown>;
}

function describe(exception: unknown): Described {
  if (exception instanceof Problem) {
    return {
      status: exception.getStatus(),
      slug: exception.slug,
      detail: exception.detailMessage,
      errors: exception.errors,
      extra: exception.extra,
    };
  }
  if (exception instanceof HttpException) {
    // Raised by Nest itself: an unknown route (404), or a status without a sentence of ours.
    const status = exception.getStatus();
    const detail = status === 404 ? msg('problem.notFound', { what: 'route' }) : httpDetail(status);
    return { status, slug: `http-${status}`, detail };
  }
  // Errors raised by Fastify itself (body limit, malformed JSON, media type).
  const err = exception as StatusError;
  const status = err?.statusCode ?? err?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail =
      status === 413
        ? msg('problem.bodyTooLarge')
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? msg('problem.mediaType')
          : err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError
            ? msg('problem.malformedJson')
            : httpDetail(status);
    return { status, slug: `http-${status}`, detail };
  }
  return { status: 500, slug: 'internal', detail: msg('problem.internal') };
}

function httpDetail(status: number): Msg {
  return msg('problem.http', { status: String(status) });
}
