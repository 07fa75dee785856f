import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { createRootLogger, logListening, NestPinoLogger } from './common/logging.js';
import { AppConfig } from './config/config.js';
import { serveMetrics } from './metrics/metrics-server.js';

/** Queue workers and background loops only, no HTTP server (role `worker`). */
export async function bootstrapWorker(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.register(config), {
    bufferLogs: true,
  });
  const logger = createRootLogger(config);
  app.useLogger(new NestPinoLogger(logger));
  // SIGTERM: Nest drains (see QueueDrainService), then the process exits 0.
  app.enableShutdownHooks([], { useProcessExit: true });
  await app.init();
  // Last, so a scrape answering means every consumer and loop has started.
  if (config.metricsPort !== undefined) {
    logListening(logger, await serveMetrics(config.metricsPort), 'metrics');
  }
  return app;
}
