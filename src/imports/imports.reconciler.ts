import { Injectable, Logger } from '@nestjs/common';
import { BackgroundLoop, LoopingService } from '../background/background-loop.js';
import { ImportQueue } from './import-queue.js';
import { ImportsRepository } from './imports.repository.js';

const INTERVAL_MS = 30_000;
const FIRST_RUN_MS = 2_000;
const BATCH = 100;

/**
 * Re-drives imports PostgreSQL says are pending but that have no live job (enqueue failed,
 * Redis flushed, a worker died mid-import): the new job resumes after the last recorded item.
 */
@Injectable()
export class ImportsReconciler extends LoopingService {
  private readonly logger = new Logger(ImportsReconciler.name);
  protected readonly loop = new BackgroundLoop(
    { name: ImportsReconciler.name, intervalMs: INTERVAL_MS, firstRunMs: FIRST_RUN_MS },
    () => this.run(),
  );

  constructor(
    private readonly imports: ImportsRepository,
    private readonly queue: ImportQueue,
  ) {
    super();
  }

  private async run() {
    let requeued = 0;
    for (const id of await this.imports.pendingIds(BATCH)) {
      if (await this.queue.isLive(id)) continue;
      if (await this.queue.enqueue(id)) requeued += 1;
    }
    if (requeued > 0) this.logger.warn(`Re-enqueued ${requeued} import(s) that had no live job`);
  }
}
