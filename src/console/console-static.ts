import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where `npm run build` puts the console's bundle (vite, console/vite.config.ts). */
export const CONSOLE_DIR = path.join(import.meta.dirname, '..', 'console-ui');

/**
 * Serves the console at /console/: hashed assets with a long cache, and index.html for every
 * other path under it, so the single-page app's own routes survive a reload. Nothing is
 * fetched from another host; the strict Content-Security-Policy is set in http.ts.
 */
export async function mountConsole(fastify: FastifyInstance, root = CONSOLE_DIR): Promise<boolean> {
  const indexFile = path.join(root, 'index.html');
  if (!existsSync(indexFile)) return false;
  const index = readFileSync(indexFile);
  await fastify.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/console/assets/',
    decorateReply: false,
    index: false,
    immutable: true,
    maxAge: '365d',
  });
  const sendIndex = (
    _: unknown,
    reply: {
      header(k: string, v: string): unknown;
      type(t: string): unknown;
      send(b: Buffer): unknown;
    },
  ) => {
    reply.header('cache-control', 'no-cache');
    reply.type('text/html; charset=utf-8');
    return reply.send(index);
  };
  fastify.get('/console', (_request, reply) => reply.redirect('/console/', 308));
  fastify.get('/console/', sendIndex);
  fastify.get('/console/*', sendIndex);
  return true;
}
