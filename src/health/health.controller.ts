import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '../common/principal.js';
import { REDIS } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.js';

type ComponentStatus = 'up' | 'down';

const PROBE_TIMEOUT_MS = 2000;

/** Resolves 'up' if the probe answers within the timeout; the reason stays in the logs' realm. */
async function probe(check: () => Promise<unknown>): Promise<ComponentStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness and readiness. Readiness reports each component as up or down and nothing else:
 * an error text can carry internal addresses (ECONNREFUSED 10.0.3.7:6379), and this route
 * is public. The shape keeps terminus's `{status, info, error, details}`.
 */
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [database, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.redis.ping()),
    ]);
    const details = { database: { status: database }, redis: { status: redis } };
    const entries = Object.entries(details);
    const ok = entries.every(([, c]) => c.status === 'up');
    void reply.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'error',
      info: Object.fromEntries(entries.filter(([, c]) => c.status === 'up')),
      error: Object.fromEntries(entries.filter(([, c]) => c.status === 'down')),
      details,
    };
  }
}
