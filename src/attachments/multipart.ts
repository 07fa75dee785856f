import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/config.js';
import { Problem } from '../common/problem.js';
import { msg } from '../i18n/i18n.js';

/** Route config flag of the only routes that take multipart bodies (attachment uploads). */
export const MULTIPART_ROUTE = { multipart: true, bodyTypes: ['multipart/form-data'] };

/**
 * Registers @fastify/multipart for attachment uploads. Its parser applies to every route,
 * so a hook keeps the others JSON-only: a multipart body anywhere else is a 415, as before.
 * (Local until the service-wide media-type rule has a per-route override.)
 */
export async function registerMultipart(
  app: NestFastifyApplication,
  config: AppConfig,
): Promise<void> {
  await app.register(multipart, {
    // Busboy keeps the sent filename as is; attachment-rules sanitises it and keeps the original.
    preservePath: true,
    // Larger buffers than busboy's 16 KiB default: fewer wake-ups per 256 KiB chunk.
    highWaterMark: 256 * 1024,
    fileHwm: 256 * 1024,
    limits: {
      fileSize: config.attachmentMaxBytes + 1,
      files: 2, // a second file still reaches the route, which names the problem
      fields: 4,
      parts: 8,
      fieldNameSize: 100,
      fieldSize: 8 * 1024,
      headerPairs: 20,
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('preHandler', (request: FastifyRequest, _reply, done) => {
    const config = request.routeOptions.config as { multipart?: boolean } | undefined;
    if (request.isMultipart() && !config?.multipart) {
      done(
        new Problem(
          415,
          'http-415',
          msg('input.mediaType', { count: 1, allowed: 'application/json' }),
        ),
      );
      return;
    }
    done();
  });
}
