import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackgroundLoop, LoopingService } from '../background/background-loop.js';
import { PgAdvisoryLease } from '../background/leases.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';

const INTERVAL_MS = 60_000;
const BATCH = 500;
/** Per run at most this many batches, so one run never holds a connection for long. */
const MAX_BATCHES = 20;
const PURGE_LOCK = 727_274_020;

/**
 * Deletes expired Idempotency-Keys (24 h after their request) once a minute, on one instance
 * (an advisory lease). A key found expired by a request is taken over by that request anyway.
 */
@Injectable()
export class IdempotencyPurge extends LoopingService {
  protected readonly loop: BackgroundLoop;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.loop = new BackgroundLoop(
      {
        name: IdempotencyPurge.name,
        intervalMs: INTERVAL_MS,
        lease: new PgAdvisoryLease(config.databaseUrl, PURGE_LOCK, 'ccc-idempotency-purge'),
      },
      async (context) => {
        for (let i = 0; i < MAX_BATCHES && !context.stopping; i++) {
          if ((await this.purgeBatch()) < BATCH) return;
        }
      },
    );
  }

  /** Deletes up to BATCH expired keys; returns how many. */
  async purgeBatch(): Promise<number> {
    const rows = await sql(
      this.dataSource,
      `DELETE FROM idempotency_keys WHERE (api_key_id, key) IN (
         SELECT api_key_id, key FROM idempotency_keys WHERE expires_at <= now()
         ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING 1`,
      [BATCH],
    );
    return rows.length;
  }
}
