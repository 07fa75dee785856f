import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as Pino, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config/config.js';

/**
 * The process's one pino logger: Fastify logs requests through it (each request's child
 * carries `reqId`), and Nest's `Logger` writes to it through `NestPinoLogger`. Plain pino,
 * not a per-request middleware with AsyncLocalStorage: on Node 20 that turns on promise
 * hooks for every promise, ≈ 12 % of the API's CPU per filing (README, "Intake performance").
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel' | 'role'>): Pino {
  return pino(rootLoggerOptions(config)).child({ role: config.role });
}

/**
 * Fields that hold a secret wherever they appear (two levels deep) in a log line. Not
 * `code`: errors carry theirs (a one-time code must simply never be logged).
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
  'secret',
  'sealedSecret',
  'password',
  'token',
  'activationToken',
  'csrfToken',
  'key',
  'recoveryCodes',
];

/**
 * Secrets never reach a log line: headers and known secret fields are censored, and a
 * request is logged by its path alone (`requestForLog`).
 */
export function rootLoggerOptions(config: Pick<AppConfig, 'logLevel'>): LoggerOptions {
  const paths = ['req.headers', 'res.headers', 'headers'].flatMap((at) =>
    ['authorization', 'cookie', 'set-cookie', 'x-csrf-token'].map((h) => `${at}["${h}"]`),
  );
  for (const field of SECRET_FIELDS) paths.push(`["${field}"]`, `*["${field}"]`, `*.*["${field}"]`);
  return {
    level: config.logLevel,
    redact: { paths, censor: '[redacted]' },
    // Fastify's own `req` serializer would log the whole URL; a root serializer wins over it.
    serializers: { req: requestForLog },
  };
}

/**
 * A URL without its query string. Query values are not logged anywhere: the OIDC callback's
 * `code` and `state` arrive there, a client may put a token in one, and searches carry an
 * incident's data (`q`), which the log's readers may not be cleared to see.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** What a log line says about a request (Fastify's fields, the URL by its path only). */
export function requestForLog(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: pathOf(req.url ?? ''),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * One line per listener once it is bound, whatever LOG_LEVEL says: with port 0 the system
 * picks the port, and this line is where a supervisor (or the e2e tests) reads it.
 */
export function logListening(
  logger: Pino,
  server: { address(): AddressInfo | string | null },
  listener: 'http' | 'metrics',
): void {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : address;
  logger.child({}, { level: 'info' }).info({ listener, port }, 'listening');
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's `LoggerService` over pino, as JSON lines with the logger's context. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Pino) {}

  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const [fields, text] = logLine(message, params);
    this.logger[level](fields, text);
  }
}

/**
 * Nest's `Logger` calls `(message, ...params, context)`: the last string is the context.
 * `message` may be text, an Error, or fields with the text in `params[0]`
 * (`logger.error({ err, url }, 'unhandled error')`); `error(text, stack)` passes a stack.
 */
export function logLine(
  message: unknown,
  params: unknown[],
): [Record<string, unknown>, string | undefined] {
  const last = params[params.length - 1];
  const context = typeof last === 'string' ? last : undefined;
  const rest = context === undefined ? params : params.slice(0, -1);
  const fields: Record<string, unknown> = context === undefined ? {} : { context };
  if (message instanceof Error) return [{ ...fields, err: message }, message.message];
  if (typeof message === 'object' && message !== null) {
    return [{ ...fields, ...message }, typeof rest[0] === 'string' ? rest[0] : undefined];
  }
  if (typeof rest[0] === 'string') fields.stack = rest[0];
  return [fields, String(message)];
}
