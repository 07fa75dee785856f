import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../common/problem.filter.js';
import { Problem } from '../common/problem.js';
import { msg } from '../i18n/i18n.js';
import { AuthGuard } from '../sessions/auth.guard.js';
import { QueueName } from '../queues/queues.js';

/**
 * Bull Board for admins. Browsers can log in with HTTP Basic auth (any user name,
 * the admin API key as password); tools send the usual Bearer header.
 */
export async function mountQueueDashboard(app: INestApplication, basePath: string) {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: Object.values(QueueName).map(
      (name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name))),
    ),
    serverAdapter,
  });
  const guard = app.get(AuthGuard, { strict: false });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const basic = /^Basic\s+(\S+)$/i.exec(header);
      const bearer = basic
        ? `Bearer ${Buffer.from(basic[1], 'base64').toString().split(':').slice(1).join(':')}`
        : header;
      const principal = await guard.authenticate(bearer);
      if (principal?.role === 'admin') return;
      const refusal = new Problem(
        principal ? 403 : 401,
        principal ? 'forbidden' : 'unauthorized',
        msg('problem.queueDashboard'),
        undefined,
        { 'WWW-Authenticate': 'Basic realm="ccc-queues"' },
      );
      sendProblem(refusal, request, reply);
      return reply;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: basePath });
  });
}
