/** What `GET /api/v1/events` sends: ids only, never content (readers fetch what they may see). */
export type LiveEventType =
  | 'incident.created'
  | 'incident.updated'
  | 'dispatch.updated'
  | 'comment.added'
  | 'attachment.added'
  | 'report.ready'
  | 'delivery.failed';

export interface LiveEvent {
  /** From one database sequence: the same event has the same id on every instance. */
  id: string;
  type: LiveEventType;
  incidentId?: string;
  reportId?: string;
  deliveryId?: string;
  at: string;
}

/** A received event and its place in this instance's commit-ordered log. */
export interface Logged {
  pos: number;
  receivedAt: number;
  event: LiveEvent;
}

const TYPES = new Set<string>([
  'incident.created',
  'incident.updated',
  'dispatch.updated',
  'comment.added',
  'attachment.added',
  'report.ready',
  'delivery.failed',
]);

/** A NOTIFY payload from the triggers (migration LiveEvents); anything else is dropped. */
export function parsePayload(payload: string | undefined): LiveEvent[] {
  let items: unknown;
  try {
    items = JSON.parse(payload ?? '');
  } catch {
    return [];
  }
  if (!Array.isArray(items)) return [];
  return items.filter(
    (e): e is LiveEvent =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as LiveEvent).id === 'string' &&
      TYPES.has((e as LiveEvent).type) &&
      typeof (e as LiveEvent).at === 'string',
  );
}

/**
 * Bursts per incident become one event: of the events with the same type and subject, only
 * the last one is kept, at the place of the last one (so the newest id is what a client
 * resumes from).
 */
export function coalesce(log: Logged[]): Logged[] {
  const last = new Map<string, number>();
  log.forEach((l, i) => last.set(subjectKey(l.event), i));
  return log.filter((l, i) => last.get(subjectKey(l.event)) === i);
}

function subjectKey(e: LiveEvent): string {
  return `${e.type}|${e.incidentId ?? ''}|${e.reportId ?? ''}|${e.deliveryId ?? ''}`;
}

/** The event as the wire carries it: `data` holds what the contract names, nothing more. */
export function toSse(e: LiveEvent): string {
  const data: Record<string, string> = { type: e.type };
  if (e.type === 'report.ready') data.reportId = e.reportId!;
  else if (e.type === 'delivery.failed') {
    data.deliveryId = e.deliveryId!;
    if (e.incidentId) data.incidentId = e.incidentId;
  } else data.incidentId = e.incidentId!;
  data.at = e.at;
  return `id: ${e.id}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The last minutes of events in the order this instance received them (commit order, the
 * same on every instance). `after(id)` is what a client that saw `id` has missed; null when
 * that id is not here any more (or never was): the client must reload.
 */
export class EventLog {
  private entries: Logged[] = [];
  private nextPos = 1;

  constructor(
    private readonly keepMs: number,
    private readonly maxEntries: number,
  ) {}

  append(events: LiveEvent[], now = Date.now()): Logged[] {
    const added = events.map((event) => ({ pos: this.nextPos++, receivedAt: now, event }));
    this.entries.push(...added);
    this.trim(now);
    return added;
  }

  /** The position of the newest entry (0 when empty). */
  get head(): number {
    return this.nextPos - 1;
  }

  after(id: string, now = Date.now()): Logged[] | null {
    this.trim(now);
    const i = this.entries.findIndex((l) => l.event.id === id);
    return i < 0 ? null : this.entries.slice(i + 1);
  }

  /** Forget everything: after a lost LISTEN connection the log has a hole. */
  clear(): void {
    this.entries = [];
  }

  private trim(now: number): void {
    let drop = 0;
    while (
      drop < this.entries.length &&
      (this.entries.length - drop > this.maxEntries ||
        now - this.entries[drop].receivedAt > this.keepMs)
    ) {
      drop++;
    }
    if (drop > 0) this.entries = this.entries.slice(drop);
  }
}
