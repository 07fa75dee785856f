import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import pg from 'pg';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import { coalesce, EventLog, Logged, parsePayload, toSse } from './live-events.js';
import { msg } from '../i18n/i18n.js';

export const LIVE_CHANNEL = 'ccc_live';
/** Events arriving within this window are coalesced per incident before sending. */
const COALESCE_MS = 100;
/** The contract: resumable for at least the last 5 minutes. */
const KEEP_MS = 6 * 60_000;
const KEEP_MAX = 200_000;
const RECONNECT_MS = 1_000;
/** Open streams per instance, all callers together. */
const MAX_STREAMS_TOTAL = 5_000;

const RESET = `data: ${JSON.stringify({ type: 'reset' })}\n\n`;

export interface Stream {
  principal: Principal;
  write(chunk: string): void;
  end(): void;
}

interface Subscriber extends Stream {
  /** Log entries up to this position were handled by the replay (or predate the stream). */
  afterPos: number;
  /** While the replay is being filtered, live events wait here (keeps order). */
  queued: Logged[] | null;
}

/**
 * Fans the database's live events (NOTIFY `ccc_live`, see migration LiveEvents) out to the
 * open event streams of this instance. Each event is sent only to streams whose caller may
 * see its subject: incidents through the one visibility rule (IncidentsRepository), failed
 * deliveries to coordinators and admins (as the deliveries API), reports to everyone.
 */
@Injectable()
export class EventHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventHub.name);
  private readonly log = new EventLog(KEEP_MS, KEEP_MAX);
  private readonly subscribers = new Set<Subscriber>();
  private pending: Logged[] = [];
  private flushTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private listener: pg.Client | null = null;
  private stopped = false;

  constructor(
    private readonly incidents: IncidentsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.listen();
    this.heartbeat = setInterval(() => {
      for (const s of this.subscribers) s.write(': ping\n\n');
    }, this.config.eventsHeartbeatSeconds * 1000);
  }

  /** Shutdown drains HTTP: open streams are ended at once so the drain is not held up. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.flushTimer);
    for (const s of this.subscribers) s.end();
    this.subscribers.clear();
    // Never wait long on the LISTEN connection: shutdown goes on without it.
    const ended = this.listener?.end().catch(() => undefined);
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2_000).unref())]);
  }

  /** Refuses a stream over the limits before anything is written (429). */
  admit(principal: Principal): void {
    const who = actorOf(principal);
    let mine = 0;
    for (const s of this.subscribers) if (actorOf(s.principal) === who) mine++;
    if (mine >= this.config.eventsMaxStreams || this.subscribers.size >= MAX_STREAMS_TOTAL) {
      throw new Problem(429, 'too-many-streams', msg('problem.tooManyStreams'), undefined, {
        'Retry-After': '5',
      });
    }
  }

  /**
   * Starts a stream. With `lastEventId`, first sends what the caller missed since that
   * event (coalesced and filtered like live events), or `reset` when it is too old or
   * unknown here.
   */
  async subscribe(stream: Stream, lastEventId?: string): Promise<() => void> {
    const sub: Subscriber = { ...stream, afterPos: this.log.head, queued: [] };
    const missed = lastEventId ? this.log.after(lastEventId) : [];
    this.subscribers.add(sub);
    const unsubscribe = () => this.subscribers.delete(sub);
    try {
      if (missed === null) sub.write(RESET);
      else if (missed.length > 0) {
        for (const l of await this.visibleTo(sub.principal, coalesce(missed))) {
          sub.write(toSse(l.event));
        }
      }
    } finally {
      for (const l of sub.queued ?? []) sub.write(toSse(l.event));
      sub.queued = null;
    }
    return unsubscribe;
  }

  private async listen(): Promise<void> {
    while (!this.stopped) {
      const client = new pg.Client({
        connectionString: this.config.databaseUrl,
        application_name: 'ccc-live-events',
      });
      try {
        const lost = new Promise<void>((resolve) => {
          client.on('error', () => resolve());
          client.on('end', () => resolve());
        });
        client.on('notification', (n) => {
          if (n.channel === LIVE_CHANNEL) this.receive(n.payload);
        });
        await client.connect();
        await client.query(`LISTEN ${LIVE_CHANNEL}`);
        this.listener = client;
        await lost;
      } catch (err) {
        this.logger.warn(`live events: ${(err as Error).message}`);
      }
      this.listener = null;
      await client.end().catch(() => undefined);
      if (this.stopped) return;
      // Events committed while not listening are gone: clients must reload.
      this.log.clear();
      for (const s of this.subscribers) s.write(RESET);
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  }

  private receive(payload: string | undefined): void {
    const events = parsePayload(payload);
    if (events.length === 0) return;
    this.pending.push(...this.log.append(events));
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch((err: Error) => this.logger.warn(`live events: ${err.message}`));
    }, COALESCE_MS);
  }

  private async flush(): Promise<void> {
    const batch = coalesce(this.pending);
    this.pending = [];
    if (batch.length === 0 || this.subscribers.size === 0) return;
    // One visibility decision per kind of caller (coordinators, each analyst state).
    const decided = new Map<string, Promise<Logged[]>>();
    for (const sub of this.subscribers) {
      const kind = sub.principal.role === 'analyst' ? sub.principal.state : 'CCC';
      let visible = decided.get(kind);
      if (!visible) {
        visible = this.visibleTo(sub.principal, batch);
        decided.set(kind, visible);
      }
      const events = (await visible).filter((l) => l.pos > sub.afterPos);
      if (sub.queued) sub.queued.push(...events);
      else for (const l of events) sub.write(toSse(l.event));
    }
  }

  private async visibleTo(principal: Principal, batch: Logged[]): Promise<Logged[]> {
    const center = principal.role !== 'analyst';
    const ids = [
      ...new Set(
        batch.flatMap((l) =>
          l.event.incidentId && l.event.type !== 'delivery.failed' ? [l.event.incidentId] : [],
        ),
      ),
    ];
    const visible = center ? null : await this.incidents.visibleIds(principal, ids);
    return batch.filter((l) => {
      if (l.event.type === 'report.ready') return true;
      if (l.event.type === 'delivery.failed') return center;
      return center || visible!.has(l.event.incidentId!);
    });
  }
}
