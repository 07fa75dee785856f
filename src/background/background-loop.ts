import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Counter } from 'prom-client';
import { registry } from '../metrics/metrics.js';
import type { Lease } from './leases.js';

export interface LoopOptions {
  /** For logs. */
  name: string;
  /** Pause after a run that succeeded (unless the run returns its own). */
  intervalMs: number;
  /** Delay of the first run after start (default 0). */
  firstRunMs?: number;
  /** After failures the pause doubles from intervalMs up to this (default 30 s). */
  maxBackoffMs?: number;
  /** One instance at a time: a run starts only where this lease is held (else it is skipped). */
  lease?: Lease;
  /** stop() waits this long for a run in progress, never longer (default 5 s). */
  stopTimeoutMs?: number;
}

/** What a run learns: whether it holds the lease just taken (state from a former holder may be stale). */
export interface RunContext {
  freshLease: boolean;
  /** True once stop() was called: long runs return early. */
  readonly stopping: boolean;
}

const runsTotal = new Counter({
  name: 'ccc_background_runs_total',
  help: 'Runs of each background loop in this process: done, skipped (another instance holds the lease) or failed',
  labelNames: ['loop', 'outcome'] as const,
  registers: [registry],
});

/** A run may return the pause before the next one (ms), e.g. shorter while a backlog lasts. */
export type LoopRun = (context: RunContext) => Promise<number | void>;

/**
 * The one mechanism behind the background loops (outbox relay, delivery sweeper, escalation
 * scheduler, reports and imports reconcilers, idempotency and imports purges): one run at a
 * time, a pause between runs, `kick()` to run now, error backoff, an optional lease so one
 * instance runs it, and a stop that lets the run in progress finish (bounded) before the
 * pools close on SIGTERM.
 */
export class BackgroundLoop {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private failures = 0;
  /** When the last run started (ms since epoch); 0 before the first. */
  lastStartedAt = 0;
  /** The pause chosen after each run, newest last (the last 20; for tests and debugging). */
  readonly pauses: number[] = [];

  constructor(
    private readonly options: LoopOptions,
    private readonly run: LoopRun,
  ) {
    this.logger = new Logger(options.name);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.firstRunMs ?? 0);
  }

  /** Runs now, or once more right after the run in progress; resolves when that run ends. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.current) {
      this.again = true;
      return this.current;
    }
    clearTimeout(this.timer);
    return this.runOnce();
  }

  /** Stops scheduling, waits (bounded) for a run in progress, then releases the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const limit = this.options.stopTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      (this.current ?? Promise.resolve()).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), limit))),
    ]);
    clearTimeout(timer);
    if (timedOut) this.logger.warn(`a run still in progress after ${limit} ms; stopping anyway`);
    await this.options.lease?.release().catch(() => undefined);
  }

  get running(): boolean {
    return this.current !== null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runOnce(), delayMs);
  }

  private runOnce(): Promise<void> {
    this.lastStartedAt = Date.now();
    const run = this.guarded().then((pause) => {
      this.current = null;
      this.pauses.push(pause);
      if (this.pauses.length > 20) this.pauses.shift();
      if (this.again && !this.stopped) {
        this.again = false;
        void this.runOnce(); // kicked while running: at once, not a timer turn later
      } else {
        this.schedule(pause);
      }
    });
    this.current = run;
    return run;
  }

  /** One run; resolves with the pause before the next, never rejects. */
  private async guarded(): Promise<number> {
    const { intervalMs, lease } = this.options;
    const isStopped = () => this.stopped;
    const context: RunContext = {
      freshLease: false,
      get stopping() {
        return isStopped();
      },
    };
    try {
      if (lease) {
        const held = await lease.hold();
        if (held === null) {
          this.failures = 0;
          runsTotal.inc({ loop: this.options.name, outcome: 'skipped' });
          return intervalMs; // another instance holds it
        }
        context.freshLease = held === 'acquired';
      }
      const pause = await this.run(context);
      if (this.failures > 0) this.logger.log('running again after failures');
      this.failures = 0;
      runsTotal.inc({ loop: this.options.name, outcome: 'done' });
      return pause ?? intervalMs;
    } catch (err) {
      this.failures += 1;
      runsTotal.inc({ loop: this.options.name, outcome: 'failed' });
      const pause = backoffMs(intervalMs, this.failures, this.options.maxBackoffMs ?? 30_000);
      this.logger.warn(
        `run failed (${this.failures} in a row, next in ${pause} ms): ${(err as Error)?.message ?? String(err)}`,
      );
      return pause;
    }
  }
}

/** intervalMs, doubled per failure after the first, at most maxMs. */
export function backoffMs(intervalMs: number, failures: number, maxMs: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(maxMs, intervalMs * 2 ** Math.min(failures - 1, 30));
}

/**
 * A Nest provider that owns one loop: started when the application has booted, stopped
 * (its run in progress finished) before the database and Redis clients close.
 */
export abstract class LoopingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected abstract readonly loop: BackgroundLoop;

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
