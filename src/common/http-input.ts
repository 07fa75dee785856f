import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { HttpStatus } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Locale, type Msg, msg, negotiateLocale } from '../i18n/i18n.js';
import { MAX_JSON_DEPTH, scanJson, textFieldErrors } from './json-scan.js';
import type { LargeJsonOutcome } from './large-json.js';
import { problemBody, sendProblem } from './problem.filter.js';
import { type FieldError, Problem } from './problem.js';
import { runInThread, ThreadFailed } from './thread.js';

/**
 * The rules every request body and query meets before any route sees it, installed once on
 * the Fastify instance (see http.ts), so that a new route cannot forget them:
 * - a body is accepted only in the media types of its route (`@AcceptsBody`, default JSON),
 *   uncompressed, and JSON only as UTF-8 (otherwise 415);
 * - JSON nested more than 64 levels is a 400, found by a scan of the raw text before
 *   JSON.parse, so no DTO transformation ever sees it;
 * - a NUL character or an unpaired surrogate in any body string (or key), query value or
 *   path parameter is a 400 naming the field.
 */

/** What a route accepts when it says nothing. */
export const DEFAULT_BODY_TYPES: readonly string[] = ['application/json'];

/** Media types parsed as JSON (with the rules above) when a route accepts them. */
const JSON_TYPES = /^application\/(?:[\w.-]+\+)?json(?:\s*;|\s*$)/i;

interface BodyRouteConfig {
  bodyTypes?: readonly string[];
  /**
   * The body may be as large as `CCC_IMPORT_MAX_BYTES` (imports) instead of 1 MiB, and is
   * parsed in the helper thread; this module's `summarise(body)` gives the route its body.
   */
  largeBody?: string;
}

/**
 * Route decorator: the request media types this route accepts instead of `application/json`
 * (e.g. `@AcceptsBody('application/stix+json', 'application/json')`). A type other than
 * JSON also needs its parser registered on the Fastify instance. Sets the Fastify route
 * config (`@RouteConfig`): a route using both must put `bodyTypes` in its own RouteConfig.
 */
export const AcceptsBody = (...types: string[]) =>
  RouteConfig({ bodyTypes: types.map((t) => t.toLowerCase()) } satisfies BodyRouteConfig);

/**
 * Route decorator of the import routes: these media types (as `AcceptsBody`), and a body up
 * to `CCC_IMPORT_MAX_BYTES` instead of the service's 1 MiB (see `installLargeBodyLimit`).
 * Such a body is checked and parsed off the event loop, in the helper thread (a 32 MiB
 * document takes hundreds of milliseconds and hundreds of MB of heap), and the route gets
 * what `summarise(body)`, exported by the module at `summariser`, makes of it; its text as
 * received is `rawJsonBytes(request)`.
 */
export const LargeBody = (summariser: URL, ...types: string[]) =>
  RouteConfig({
    bodyTypes: types.map((t) => t.toLowerCase()),
    largeBody: summariser.href,
  } satisfies BodyRouteConfig);

/**
 * Gives routes marked `LargeBody` their own body limit as they are registered; a body over
 * it is refused with 413 like any other. Install before the routes are registered.
 */
export function installLargeBodyLimit(fastify: FastifyInstance, bytes: number): void {
  fastify.addHook('onRoute', (route) => {
    if ((route.config as BodyRouteConfig | undefined)?.largeBody) route.bodyLimit = bytes;
  });
}

// Methods whose body Fastify ignores.
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);
const UTF8 = new TextDecoder('utf-8', { fatal: true });
// Set on a request whose JSON body the scan found free of NUL and surrogate escapes:
// nothing left to walk (the intake hot path).
const TEXT_CLEAN = Symbol('ccc.textClean');
// The JSON body of a `LargeBody` route's request, as received (see rawJsonBytes).
const RAW_BYTES = Symbol('ccc.rawBytes');
type Marked = FastifyRequest & { [TEXT_CLEAN]?: true; [RAW_BYTES]?: Buffer };

/**
 * The JSON body of a `LargeBody` route as the client sent it (UTF-8, checked): an import
 * stores these bytes as they are, never as a JavaScript string (up to 32 MiB, on the 128 MB
 * heap of the HTTP process) nor serialised again.
 */
export function rawJsonBytes(request: FastifyRequest): Buffer | undefined {
  return (request as Marked)[RAW_BYTES];
}

/** Accepts a client's `x-request-id` only in this form; anything else gets a fresh UUID. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function unsupported(detail: Msg): Problem {
  return new Problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'http-415', detail);
}

function malformed(detail: Msg): Problem {
  return new Problem(HttpStatus.BAD_REQUEST, 'http-400', detail);
}

/** Why this request's body is refused before it is read, or null. */
export function bodyRefusal(request: FastifyRequest): Problem | null {
  if (BODYLESS.has(request.method) || request.is404) return null;
  const headers = request.headers;
  const contentType = headers['content-type'];
  const length = headers['content-length'];
  const hasBody =
    contentType !== undefined ||
    headers['transfer-encoding'] !== undefined ||
    (length !== undefined && length !== '0');
  if (!hasBody) return null;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return unsupported(msg('input.contentEncoding'));
  }
  const allowed =
    (request.routeOptions.config as BodyRouteConfig | undefined)?.bodyTypes ?? DEFAULT_BODY_TYPES;
  const [essence, ...params] = (contentType ?? '').split(';');
  const mediaType = essence.trim().toLowerCase();
  if (!allowed.includes(mediaType)) {
    return unsupported(
      msg('input.mediaType', { count: allowed.length, allowed: allowed.join(', ') }),
    );
  }
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    for (const param of params) {
      const [name, value = ''] = param.split('=');
      if (name.trim().toLowerCase() !== 'charset') continue;
      const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
      if (charset !== 'utf-8' && charset !== 'utf8') return unsupported(msg('input.charset'));
    }
  }
  return null;
}

// Query keys that name JavaScript internals: refused like any unknown field, whatever the
// DTO (class-transformer would skip them silently).
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function forbiddenKeys(query: unknown): FieldError[] {
  if (typeof query !== 'object' || query === null) return [];
  return Object.keys(query)
    .filter((key) => FORBIDDEN_KEYS.has(key))
    .map((field) => ({ field, message: msg('v.unknownField') }));
}

const LARGE_JSON = new URL('./large-json.js', import.meta.url);

/** The problem for a large body the helper thread refused, as the parser here would answer. */
function largeBodyProblem(outcome: Exclude<LargeJsonOutcome, { ok: true }>): Problem {
  switch (outcome.reason) {
    case 'utf8':
      return malformed(msg('input.invalidUtf8'));
    case 'empty':
      return malformed(msg('input.emptyJson'));
    case 'depth':
      return malformed(msg('input.tooDeep', { max: MAX_JSON_DEPTH }));
    case 'syntax':
      return malformed(msg('input.malformedJson'));
    case 'complex':
      return malformed(msg('input.tooComplex'));
    case 'text':
      return Problem.validation(outcome.errors);
  }
}

/** Installs the parser and hooks described at the top of this file. */
export function installInputRules(fastify: FastifyInstance): void {
  // Fastify's own text/plain and JSON parsers go; Nest's (JSON, url-encoded forms) are
  // never registered (`bodyParser: false` in http.ts).
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    const summariser = (request.routeOptions.config as BodyRouteConfig | undefined)?.largeBody;
    if (summariser && Buffer.isBuffer(body)) {
      runInThread<LargeJsonOutcome>(LARGE_JSON, 'parseLargeJson', [
        body,
        summariser,
        MAX_JSON_DEPTH,
      ])
        .then((outcome) => {
          if (!outcome.ok) return done(largeBodyProblem(outcome), undefined);
          (request as Marked)[TEXT_CLEAN] = true;
          (request as Marked)[RAW_BYTES] = body;
          done(null, outcome.summary);
        })
        .catch((err: unknown) =>
          done(
            err instanceof ThreadFailed ? malformed(msg('input.tooComplex')) : (err as Error),
            undefined,
          ),
        );
      return;
    }
    let text: string;
    try {
      text = typeof body === 'string' ? body : UTF8.decode(body);
    } catch {
      done(malformed(msg('input.invalidUtf8')), undefined);
      return;
    }
    const scan = scanJson(text);
    if (scan.tooDeep) {
      done(malformed(msg('input.tooDeep', { max: MAX_JSON_DEPTH })), undefined);
      return;
    }
    if (!scan.suspectText) (request as Marked)[TEXT_CLEAN] = true;
    void parseJson(request, text, done);
  });

  // Before the body is read: a refused type is not even parsed.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const refusal = bodyRefusal(request);
    if (refusal) done(refusal);
    else done(null, payload);
  });

  // After parsing, before Nest's guards, pipes and DTOs.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const errors = [
      ...forbiddenKeys(request.query),
      ...textFieldErrors(request.params ?? {}),
      ...textFieldErrors(request.query ?? {}),
      ...((request as Marked)[TEXT_CLEAN] ? [] : textFieldErrors(request.body ?? null)),
    ];
    if (errors.length === 0) done();
    else done(Problem.validation(errors));
  });
}

/**
 * Fastify's router answers a malformed URL (400) and an over-long path parameter (414)
 * before any hook runs; these answer them as problems too, with the security headers.
 */
export function frameworkErrorHandler(
  secureHeaders: (request: FastifyRequest, reply: FastifyReply) => void,
) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    secureHeaders(request, reply);
    sendProblem(error, request, reply);
  };
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers over 16 KiB, a
 * request that took too long, a malformed request line): problem+json on the raw socket.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.destroyed) return;
  // A peer that reset the connection gets no answer, but its socket must go: a lingering
  // one would hold up the drain on SIGTERM.
  if (err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, detail]: [number, Msg] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, msg('input.headersTooLarge')]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, msg('input.timeout')]
        : [400, msg('input.badRequest')];
  const locale = rawPacketLocale((err as { rawPacket?: unknown }).rawPacket);
  const body = JSON.stringify(problemBody(new Problem(status, `http-${status}`, detail), locale));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/problem+json\r\nContent-Language: ${locale}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * The language asked for by an `Accept-Language` line in the bytes Node's parser could not
 * make a request of (when it has them: a timeout has none), else English.
 */
export function rawPacketLocale(rawPacket: unknown): Locale {
  if (!Buffer.isBuffer(rawPacket)) return negotiateLocale(undefined);
  const line = /^accept-language:[ \t]*([^\r\n]{0,256})\r?$/im.exec(rawPacket.toString('latin1'));
  return negotiateLocale(line?.[1]);
}
