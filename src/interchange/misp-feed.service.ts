import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { keyset } from '../common/pagination.js';
import type { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { visibleTo } from '../incidents/visibility.js';
import { ExportableIncidents } from './exportable-incidents.js';
import { StixIndex } from './stix-index.js';
import { mispEvent, mispHashLines, mispManifestEntry } from './misp-event.js';
import { COLLECTIONS, type TaxiiCollection } from './taxii-collections.js';

/** The feeds and what they hold: the TAXII collections of the same names. */
export const FEED_AUDIENCES = ['public', 'community'] as const;
export type FeedAudience = (typeof FEED_AUDIENCES)[number];

/** Incidents per round trip while a feed file is written. */
const BATCH = 200;

const BY_CREATED = keyset({
  name: 'feeds:created',
  direction: 'asc',
  columns: [
    { sql: 'i.created_at', type: 'timestamp' },
    { sql: 'i.id', type: 'uuid' },
  ],
});

/**
 * The MISP feeds (`/feeds/misp/public/`, `/feeds/misp/community/`): the layout a MISP
 * instance pulls (INTEROP 1.4). An incident is in a feed when it is in the TAXII collection
 * of that name, the caller may see it (visibleTo) and it has observables (MISP refuses an
 * empty published event). Every event is built by the one MISP mapping (misp-event.ts) from
 * the incident as IncidentsRepository gives it, so the manifest, `hashes.csv` and the event
 * files agree. The manifest and `hashes.csv` are written in batches, never held whole.
 */
@Injectable()
export class MispFeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly exportables: ExportableIncidents,
    private readonly stixIndex: StixIndex,
  ) {}

  /**
   * The manifest's entity tag: changes with every incident filed into the feed and every
   * new version of one (its `incident` object then gets a new, greater `date_added`).
   */
  async etag(principal: Principal, audience: FeedAudience): Promise<string> {
    await this.stixIndex.catchUp();
    const params = new SqlParams();
    const [row] = await sql<{ n: string; last: string | null }>(
      this.dataSource,
      `SELECT count(*)::text AS n, max(s.date_added)::text AS last
       FROM stix_objects s JOIN incidents i ON i.id = s.incident_id
       WHERE s.kind = 'incident' AND ${this.member(audience, params)}
         AND ${visibleTo(principal, 'i', params)}`,
      params.values,
    );
    const digest = createHash('sha256')
      .update(`${audience}\u0000${row.n}\u0000${row.last ?? ''}`)
      .digest('base64url');
    return `"${digest.slice(0, 32)}"`;
  }

  /** `manifest.json`: `{"<event uuid>": {Orgc, Tag, info, date, analysis, threat_level_id, timestamp}}`. */
  async *manifest(principal: Principal, audience: FeedAudience): AsyncGenerator<string> {
    yield '{';
    let first = true;
    for await (const events of this.events(principal, audience)) {
      for (const event of events) {
        const entry = `${JSON.stringify(event.Event.uuid)}:${JSON.stringify(mispManifestEntry(event))}`;
        yield first ? entry : `,${entry}`;
        first = false;
      }
    }
    yield '}';
  }

  /** `hashes.csv`: one `md5(value),event uuid` line per attribute. */
  async *hashes(principal: Principal, audience: FeedAudience): AsyncGenerator<string> {
    for await (const events of this.events(principal, audience)) {
      const lines = events.flatMap(mispHashLines);
      if (lines.length > 0) yield `${lines.join('\n')}\n`;
    }
  }

  /** `<uuid>.json`: the event, or 404 if the incident is not in this feed for the caller. */
  async event(principal: Principal, audience: FeedAudience, id: string) {
    await this.stixIndex.catchUp();
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const ids = await this.ids(manager, principal, audience, { only: id, limit: 1 });
      const [found] = await this.exportables.load(manager, principal, ids.ids);
      if (!found) throw Problem.notFound('resource');
      return mispEvent(found);
    });
  }

  /** The feed's events in filing order, a batch at a time, each batch in one snapshot. */
  private async *events(principal: Principal, audience: FeedAudience) {
    await this.stixIndex.catchUp();
    let cursor: string | undefined;
    do {
      const batch = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
        const page = await this.ids(manager, principal, audience, { cursor, limit: BATCH });
        const loaded = await this.exportables.load(manager, principal, page.ids);
        return { events: loaded.map(mispEvent), next: page.next };
      });
      yield batch.events;
      cursor = batch.next ?? undefined;
    } while (cursor);
  }

  private async ids(
    db: EntityManager,
    principal: Principal,
    audience: FeedAudience,
    options: { cursor?: string; limit: number; only?: string },
  ): Promise<{ ids: string[]; next: string | null }> {
    const params = new SqlParams();
    const where = [
      this.member(audience, params),
      visibleTo(principal, 'i', params),
      'EXISTS (SELECT 1 FROM incident_observables o WHERE o.incident_id = i.id)',
      BY_CREATED.after(options.cursor, params),
    ];
    if (options.only) where.push(`i.id = ${params.add(options.only)}::uuid`);
    const rows = await sql<{ id: string }>(
      db,
      `SELECT i.id, ${BY_CREATED.select} FROM incidents i
       WHERE ${where.join(' AND ')}
       ORDER BY ${BY_CREATED.orderBy} LIMIT ${params.add(options.limit + 1)}`,
      params.values,
    );
    const page = BY_CREATED.page(rows, options.limit, options.cursor);
    return { ids: page.rows.map((r) => r.id), next: page.nextCursor };
  }

  private member(audience: FeedAudience, params: SqlParams): string {
    const collection = COLLECTIONS.find((c) => c.alias === audience) as TaxiiCollection;
    return collection.member('i', params);
  }
}
