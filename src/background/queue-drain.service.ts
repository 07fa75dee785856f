import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/**
 * On SIGTERM, lets every BullMQ worker finish its active jobs before the database pool
 * closes (Nest would otherwise close TypeORM and the workers in no defined order).
 */
@Injectable()
export class QueueDrainService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('QueueDrain');

  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown() {
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    await Promise.all(
      hosts.map(async (host) => {
        try {
          await host.worker.close();
        } catch (err) {
          this.logger.warn(`worker did not close cleanly: ${(err as Error).message}`);
        }
      }),
    );
  }
}
