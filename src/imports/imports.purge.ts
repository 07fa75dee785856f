import { Inject, Injectable } from '@nestjs/common';
import { BackgroundLoop, LoopingService } from '../background/background-loop.js';
import { PgAdvisoryLease } from '../background/leases.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { ImportsRepository } from './imports.repository.js';

const INTERVAL_MS = 60_000;
/** While a backlog lasts (a run stopped at MAX_BATCHES), the next run comes this soon. */
const BACKLOG_PAUSE_MS = 1_000;
/** One statement deletes at most this many imports and (about) this many items. */
const BATCH_IMPORTS = 100;
const BATCH_ITEMS = 5_000;
/** Per run at most this many statements, so one run never holds a connection for long. */
const MAX_BATCHES = 20;
const PURGE_LOCK = 727_274_030;

/**
 * Deletes finished imports (their status resource, `GET /api/v1/imports/:id` and TAXII
 * status) and their items `CCC_IMPORT_RETENTION_HOURS` after they finished, once a minute on
 * one instance (an advisory lease). Each statement deletes a bounded batch and commits, so
 * no lock is held for long; pending imports are never touched. `imported_objects` stays:
 * it is what makes re-importing the same version a no-op.
 */
@Injectable()
export class ImportsPurge extends LoopingService {
  protected readonly loop: BackgroundLoop;

  constructor(
    private readonly imports: ImportsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.loop = new BackgroundLoop(
      {
        name: ImportsPurge.name,
        intervalMs: INTERVAL_MS,
        lease: new PgAdvisoryLease(config.databaseUrl, PURGE_LOCK, 'ccc-imports-purge'),
      },
      async (context) => {
        for (let i = 0; i < MAX_BATCHES && !context.stopping; i++) {
          const deleted = await this.imports.purgeFinished(
            config.importRetentionHours,
            BATCH_IMPORTS,
            BATCH_ITEMS,
          );
          if (deleted === 0) return;
        }
        return BACKLOG_PAUSE_MS;
      },
    );
  }
}
