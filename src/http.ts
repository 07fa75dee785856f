import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { DrainingFastifyAdapter } from './common/draining-adapter.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfig } from './config/config.js';
import { httpDuration, httpRequests } from './metrics/metrics.js';
import { mountQueueDashboard } from './queues/queue-dashboard.js';

export const BODY_LIMIT = 1024 * 1024;

/** The HTTP API (roles `api` and `all`). */
export async function bootstrapHttp(config: AppConfig): Promise<INestApplication> {
  const adapter = new DrainingFastifyAdapter({
    bodyLimit: BODY_LIMIT,
    // Draining on SIGTERM serves what still arrives on open connections (see the adapter).
    return503OnClosing: false,
    trustProxy: true,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    adapter,
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  // SIGTERM: drain (see DrainingFastifyAdapter and QueueDrainService), then exit 0.
  app.enableShutdownHooks([], { useProcessExit: true });
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.ALL },
    ],
  });
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  await app.register(helmet, {
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
  fastify.addHook('onSend', async (request, reply) => {
    // The id logged with every line of this request; echoed for support tickets.
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
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
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await mountQueueDashboard(app, '/admin/queues');

  await app.listen(config.port, '0.0.0.0');
  return app;
}
