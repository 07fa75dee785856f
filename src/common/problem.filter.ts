import {
  ArgumentsHost,
  Catch,
  createParamDecorator,
  ExceptionFilter,
  ExecutionContext,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocale, type Locale, msg, type Msg, negotiateLocale, t } from '../i18n/i18n.js';
import { Problem } from './problem.js';
import { pathOf } from './logging.js';

interface StatusError {
  statusCode?: number;
  status?: number;
  code?: string;
}

/**
 * What the client is told about Fastify's own refusals, by error code: a fixed message, never
 * the error's text (which can quote the URL, the parser's position or internal names).
 */
const FASTIFY_DETAILS: Record<string, Msg> = {
  FST_ERR_CTP_BODY_TOO_LARGE: msg('input.tooLarge'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: msg('input.mediaType', { count: 1, allowed: 'application/json' }),
  FST_ERR_CTP_EMPTY_JSON_BODY: msg('input.emptyJson'),
  FST_ERR_BAD_URL: msg('input.badUrl'),
  FST_ERR_MAX_PARAM_LENGTH: msg('input.paramTooLong'),
};

/** An RFC 9457 body: `type`, `title`, `status`, `detail` and maybe `errors` and extras. */
export type ProblemBody = Record<string, unknown> & { status: number };

/**
 * The language of a request's problems: `Accept-Language` (q-values honoured), else the
 * signed-in person's own `locale`, else English.
 */
export function requestLocale(request: FastifyRequest | undefined): Locale {
  const userLocale = (request as { userLocale?: unknown } | undefined)?.userLocale;
  const header = request?.headers?.['accept-language'];
  return negotiateLocale(
    typeof header === 'string' ? header : undefined,
    isLocale(userLocale) ? userLocale : undefined,
  );
}

/** Route parameter: the language problems of this request are written in (`requestLocale`). */
export const RequestLocale = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  requestLocale(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/**
 * The RFC 9457 body for any error, in `locale`: a `Problem` as raised, a Nest
 * `HttpException`, a client error raised by Fastify (also when Nest wrapped it in an
 * HttpException), else a bare 500. `type`, `status` and every `field` never depend on the
 * language; `title`, `detail` and every `errors[].message` come from the catalogues.
 */
export function problemBody(exception: unknown, locale: Locale): ProblemBody {
  const { status, slug, detail, errors, extra } = describe(exception);
  const rendered = errors?.length
    ? errors.map((e) => ({ field: e.field, message: t(locale, e.message.key, e.message.values) }))
    : undefined;
  return {
    type: `/problems/${slug}`,
    title: t(locale, 'problem.title', { status: String(status) }),
    status,
    detail: rendered
      ? rendered
          .map((e) => t(locale, 'problem.validation.item', { field: e.field, message: e.message }))
          .join('; ')
      : t(locale, detail.key, detail.values),
    ...(rendered ? { errors: rendered } : {}),
    ...extra,
  };
}

interface Described {
  status: number;
  slug: string;
  detail: Msg;
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
    // Nest wraps Fastify's client errors (parsers, body limit) with the original as cause.
    if (exception.cause !== undefined && clientStatus(exception.cause) !== null) {
      return fastifyProblem(exception.cause as StatusError);
    }
    // Raised by Nest itself: an unknown route (404), or a status without a sentence of ours.
    const status = exception.getStatus();
    const detail = status === 404 ? msg('problem.notFound', { what: 'route' }) : httpDetail(status);
    return { status, slug: `http-${status}`, detail };
  }
  if (clientStatus(exception) !== null) return fastifyProblem(exception as StatusError);
  return { status: 500, slug: 'internal', detail: msg('problem.internal') };
}

function clientStatus(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const { statusCode, status } = err as StatusError;
  const code = statusCode ?? status;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : null;
}

function fastifyProblem(err: StatusError): Described {
  const status = clientStatus(err)!;
  const detail =
    (err.code ? FASTIFY_DETAILS[err.code] : undefined) ??
    (err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError
      ? msg('input.malformedJson')
      : httpDetail(status));
  return { status, slug: `http-${status}`, detail };
}

function httpDetail(status: number): Msg {
  return msg('problem.http', { status: String(status) });
}

/** Sends any error as problem+json in the request's language (`Content-Language` says which). */
export function sendProblem(
  exception: unknown,
  request: FastifyRequest | undefined,
  reply: FastifyReply,
): ProblemBody {
  const locale = requestLocale(request);
  const body = problemBody(exception, locale);
  if (exception instanceof Problem) {
    for (const [k, v] of Object.entries(exception.headers)) void reply.header(k, v);
  }
  void reply
    .status(body.status)
    .header('content-type', 'application/problem+json')
    .header('content-language', locale)
    .header('vary', 'Accept-Language')
    .send(body);
  return body;
}

/** Every error leaves as application/problem+json; nothing internal (stack, SQL) is shown. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = sendProblem(exception, request, reply);
    if (body.status >= 500) {
      // The request's logger, so the line carries its reqId.
      const log = request?.log;
      if (log) log.error({ err: exception, url: pathOf(request.url) }, 'unhandled error');
      else this.logger.error({ err: exception }, 'unhandled error');
    }
  }
}
