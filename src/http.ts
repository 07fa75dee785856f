import type { IncomingMessage } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { LogController } from 'fastify';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import { registerMultipart } from './attachments/multipart.js';
import { DrainingFastifyAdapter } from './common/draining-adapter.js';
import {
  clientErrorHandler,
  frameworkErrorHandler,
  installInputRules,
  installLargeBodyLimit,
  requestId,
} from './common/http-input.js';
import { createRootLogger, logListening, NestPinoLogger } from './common/logging.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfig } from './config/config.js';
import { httpDuration, httpRequests } from './metrics/metrics.js';
import { mountConsole } from './console/console-static.js';
import { installTaxiiHttp, interchangeRewriteUrl } from './interchange/taxii-http.js';
import { mountQueueDashboard } from './operations/queue-dashboard.js';

export const BODY_LIMIT = 1024 * 1024;

/** The HTTP API (roles `api` and `all`). */
export async function bootstrapHttp(config: AppConfig): Promise<INestApplication> {
  const logger = createRootLogger(config);
  // Helmet's middleware built once: @fastify/helmet rebuilds it (and re-parses the CSP) on
  // every request, ≈ 3 % of the API's CPU per filing.
  const docsHeaders = helmet({
    // Swagger UI needs inline scripts and styles.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  // Everything else, the console included: nothing inline, nothing from another host.
  const strictHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // TLS is the reverse proxy's business; on plain HTTP this would break every asset.
        upgradeInsecureRequests: null,
      },
    },
  });
  const adapter = new DrainingFastifyAdapter({
    loggerInstance: logger,
    // One line per request, written in onResponse below (Fastify's own are two).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Draining on SIGTERM serves what still arrives on open connections (see the adapter).
    return503OnClosing: false,
    // X-Forwarded-For is believed only from these (CCC_TRUSTED_PROXIES); by default from no one.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // A client's x-request-id is kept only in a bounded, safe form (see requestId).
    requestIdHeader: false,
    genReqId: requestId,
    // TAXII paths with and without their '/', MISP feed paths with a doubled one
    // (src/interchange/taxii-http.ts).
    rewriteUrl: (request: IncomingMessage) => interchangeRewriteUrl(request.url ?? '/'),
    frameworkErrors: frameworkErrorHandler((request, reply) =>
      strictHeaders(request.raw, reply.raw, () => undefined),
    ),
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    adapter,
    {
      bufferLogs: true,
      // The JSON parser and the body rules are installed below (installInputRules); Nest's
      // own would also accept url-encoded forms.
      bodyParser: false,
    },
  );
  app.useLogger(new NestPinoLogger(logger));
  // SIGTERM: drain (see DrainingFastifyAdapter and QueueDrainService), then exit 0.
  app.enableShutdownHooks([], { useProcessExit: true });
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.ALL },
      // TAXII 2.1 has its own root and rules (src/interchange/taxii-http.ts).
      { path: 'taxii2', method: RequestMethod.ALL },
      { path: 'taxii2/{*path}', method: RequestMethod.ALL },
      // MISP feeds, where MISP instances expect them (src/interchange/misp-feed.controller.ts).
      { path: 'feeds/{*path}', method: RequestMethod.ALL },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  // People's session cookie (src/sessions): parsed here, checked by the AuthGuard.
  await app.register(fastifyCookie);
  const fastify = app.getHttpAdapter().getInstance();
  installInputRules(fastify);
  installLargeBodyLimit(fastify, config.importMaxBytes);
  // After the input rules, which replace every content-type parser with the JSON one.
  await registerMultipart(app, config);
  fastify.addHook('onRequest', (request, reply, done) => {
    // Swagger UI and the queue dashboard ship inline scripts; nothing else may.
    const lenient = request.url.startsWith('/docs') || request.url.startsWith('/admin/queues');
    const headers = lenient ? docsHeaders : strictHeaders;
    headers(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  // After the security headers, so TAXII's own refusals (406) carry them too.
  installTaxiiHttp(fastify);
  // Callback-style hooks: an async one costs a promise and a microtask per request.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // The id logged with every line of this request; echoed for support tickets.
    void reply.header('x-request-id', request.id);
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (!request.url.startsWith('/health')) {
      request.log.info(
        {
          // requestForLog (src/common/logging.ts): method, the path without the query string,
          // host, and remoteAddress (request.ip: X-Forwarded-For only from CCC_TRUSTED_PROXIES).
          req: request,
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
        },
        'request completed',
      );
    }
    done();
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CCC incident coordination service')
      .setDescription(
        'Filing, routing, acknowledging and reporting cyber incidents between member states',
      )
      .setVersion('1')
      .addBearerAuth()
      .addCookieAuth('ccc_session', {
        type: 'apiKey',
        in: 'cookie',
        description:
          'A person signed in with POST /api/v1/auth/login; writes also need X-CSRF-Token',
      })
      .build(),
  );
  sessionsToo(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await mountQueueDashboard(app, '/admin/queues');
  await mountConsole(fastify);

  await app.listen(config.port, '0.0.0.0');
  logListening(logger, app.getHttpServer(), 'http');
  return app;
}

/**
 * The one guard (src/sessions/auth.guard.ts) takes a bearer key or a person's session on
 * every route it guards: each operation documented with the bearer scheme takes the
 * session cookie too. Session-only routes declare the cookie alone; public ones neither.
 */
function sessionsToo(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as { security?: Record<string, string[]>[] }[]) {
      const security = operation?.security;
      if (!Array.isArray(security)) continue;
      if (security.some((s) => 'bearer' in s) && !security.some((s) => 'cookie' in s)) {
        security.push({ cookie: [] });
      }
    }
  }
}
