import { msg } from '../i18n/i18n.js';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { keyset } from '../common/pagination.js';
import type { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { incidentViewFor, visibleTo } from '../incidents/visibility.js';
import { STIX_MEDIA_TYPE } from './export.service.js';
import { incidentObjects } from './stix-incident.js';
import type { StixObject } from './stix-markings.js';
import { ExportableIncidents } from './exportable-incidents.js';
import { StixIndex } from './stix-index.js';
import {
  foldKept,
  isoMicrosSql,
  KEPT_COLUMNS,
  KEPT_JOIN,
  type KeptRow,
} from './stix-objects.repository.js';
import {
  canRead,
  canWrite,
  COLLECTIONS,
  readableCollections,
  staticObjects,
  type TaxiiCollection,
} from './taxii-collections.js';
import { TAXII_MEDIA_TYPE } from './taxii-http.js';
import { parseTaxiiTimestamp, type TaxiiFilter } from './taxii-query.js';

export const API_ROOT = '/taxii2/ccc/';

/**
 * The order of every TAXII list: `date_added`, unique per object (stix_objects), so it is
 * its own total order. The shared paginator makes `next` an opaque, validated cursor.
 */
const BY_DATE_ADDED = keyset({
  name: 'taxii:date_added',
  direction: 'asc',
  columns: [{ sql: 's.date_added', type: 'timestamp' }],
});

/** One entry of a collection: an object version and when it was added. */
interface Entry {
  id: string;
  type: string;
  version: string;
  dateAdded: string;
  /** Set for an incident's own objects; static objects carry the object itself. */
  incidentId?: string;
  object?: StixObject;
  /** When the page's objects are built: its row as keptFor reads it, so it is read once. */
  kept?: KeptRow;
}

export interface TaxiiPage<T> {
  body: T;
  /** `date_added` of the page's first and last entries (X-TAXII-Date-Added-First/Last). */
  first?: string;
  last?: string;
}

/**
 * The read side of the TAXII 2.1 server. Every list is one query on stix_objects joined to
 * the incidents it belongs to, cut by the collection's membership and the caller's
 * visibility (visibleTo, the one rule), plus the collection's static objects; the objects'
 * content comes from IncidentsRepository, in the same snapshot.
 */
@Injectable()
export class TaxiiService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly exportables: ExportableIncidents,
    private readonly stixIndex: StixIndex,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  discovery(origin: string) {
    const root = `${this.config.publicUrlSet ? this.config.publicUrl : origin}${API_ROOT}`;
    return {
      title: 'CCC incident coordination service',
      description:
        'TAXII 2.1 server of the CSTO Coordination and Consultation Center on computer incidents',
      default: root,
      api_roots: [root],
    };
  }

  apiRoot() {
    return {
      title: 'CCC incidents',
      description: 'Incidents of the member states as STIX 2.1, by collection',
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: this.config.importMaxBytes,
    };
  }

  collections(principal: Principal) {
    const list = readableCollections(principal).map((c) => describe(principal, c));
    // TAXII: an empty list is never sent; the property is left out.
    return list.length > 0 ? { collections: list } : {};
  }

  collection(principal: Principal, id: string) {
    return describe(principal, this.readable(principal, id));
  }

  async objects(principal: Principal, collectionId: string, filter: TaxiiFilter) {
    const collection = this.readable(principal, collectionId);
    return this.snapshot(async (db) => {
      const page = await this.page(db, principal, collection, filter, true);
      const objects = await this.materialise(db, principal, collection, page.entries);
      return envelope(page, { objects });
    });
  }

  async object(principal: Principal, collectionId: string, objectId: string, filter: TaxiiFilter) {
    const collection = this.readable(principal, collectionId);
    return this.snapshot(async (db) => {
      await this.mustHold(db, principal, collection, objectId);
      const page = await this.page(db, principal, collection, { ...filter, ids: [objectId] }, true);
      const objects = await this.materialise(db, principal, collection, page.entries);
      return envelope(page, { objects });
    });
  }

  async manifest(principal: Principal, collectionId: string, filter: TaxiiFilter) {
    const collection = this.readable(principal, collectionId);
    return this.snapshot(async (db) => {
      const page = await this.page(db, principal, collection, filter);
      const objects = page.entries.map((e) => ({
        id: e.id,
        date_added: e.dateAdded,
        version: e.version,
        media_type: STIX_MEDIA_TYPE,
      }));
      return envelope(page, { objects });
    });
  }

  async versions(
    principal: Principal,
    collectionId: string,
    objectId: string,
    filter: TaxiiFilter,
  ) {
    const collection = this.readable(principal, collectionId);
    return this.snapshot(async (db) => {
      await this.mustHold(db, principal, collection, objectId);
      const page = await this.page(db, principal, collection, { ...filter, ids: [objectId] });
      return envelope(page, { versions: page.entries.map((e) => e.version) });
    });
  }

  /** The collection if the caller may read it; otherwise 404, as for one that does not exist. */
  private readable(principal: Principal, id: string): TaxiiCollection {
    const collection = COLLECTIONS.find((c) => c.id === id);
    if (!collection || !canRead(principal, collection)) throw Problem.notFound('resource');
    return collection;
  }

  /**
   * One read-only snapshot for a whole answer, so versions and contents agree, taken once
   * every incident committed before the request has its objects indexed.
   */
  private async snapshot<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    await this.stixIndex.catchUp();
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return work(manager);
    });
  }

  /** 404 unless the collection holds the object for this caller (any version, any date). */
  private async mustHold(
    db: EntityManager,
    principal: Principal,
    collection: TaxiiCollection,
    objectId: string,
  ): Promise<void> {
    const page = await this.page(db, principal, collection, { limit: 1, ids: [objectId] });
    if (page.entries.length === 0) throw Problem.notFound('resource');
  }

  /**
   * A page of the collection's entries after `next` that pass the filter, in `date_added`
   * order: the static objects that qualify, merged with the first `limit + 1` rows of
   * stix_objects that do. `withKept`: the entries also carry what materialise needs of them.
   */
  private async page(
    db: EntityManager,
    principal: Principal,
    collection: TaxiiCollection,
    filter: TaxiiFilter,
    withKept = false,
  ): Promise<{ entries: Entry[]; next: string | null }> {
    const after = decodeNext(filter.next);
    const statics = staticObjects(collection)
      .filter((s) => after === undefined || s.dateAdded > after)
      .filter((s) => filter.addedAfter === undefined || s.dateAdded > filter.addedAfter)
      .filter((s) => passes(filter, s.object.id, s.object.type, s.version))
      .map((s): Entry => ({
        id: s.object.id,
        type: s.object.type,
        version: parseTaxiiTimestamp(s.version)!,
        dateAdded: s.dateAdded,
        object: s.object,
      }));
    const rows = specVersionOk(filter)
      ? await this.rows(db, principal, collection, filter, withKept)
      : [];
    const merged = [...statics, ...rows].sort((a, b) => a.dateAdded.localeCompare(b.dateAdded));
    const entries = merged.slice(0, filter.limit);
    const more = merged.length > filter.limit;
    return {
      entries,
      next: more ? BY_DATE_ADDED.encode({ values: [entries[entries.length - 1].dateAdded] }) : null,
    };
  }

  private async rows(
    db: EntityManager,
    principal: Principal,
    collection: TaxiiCollection,
    filter: TaxiiFilter,
    withKept: boolean,
  ): Promise<Entry[]> {
    const params = new SqlParams();
    const where = [
      collection.member('i', params),
      visibleTo(principal, 'i', params),
      BY_DATE_ADDED.after(filter.next, params),
    ];
    if (filter.addedAfter)
      where.push(`s.date_added > ${params.add(filter.addedAfter)}::timestamptz`);
    if (filter.ids) where.push(`s.object_id = ANY(${params.add(filter.ids)}::text[])`);
    if (filter.types) where.push(`s.kind = ANY(${params.add(filter.types)}::text[])`);
    if (filter.versions) {
      where.push(`s.version = ANY(${params.add(filter.versions)}::timestamptz[])`);
    }
    // The page is cut first; only its rows are joined to their observables (KEPT_JOIN).
    const columns = withKept
      ? KEPT_COLUMNS
      : `s.incident_id, s.kind, s.object_id, ${isoMicrosSql('s.version')} AS version`;
    const rows = await sql<KeptRow & { _k0: string }>(
      db,
      `SELECT ${columns}, s._k0
       FROM (SELECT s.*, ${BY_DATE_ADDED.select}
             FROM stix_objects s JOIN incidents i ON i.id = s.incident_id
             WHERE ${where.join(' AND ')}
             ORDER BY ${BY_DATE_ADDED.orderBy}
             LIMIT ${params.add(filter.limit + 1)}) s
       ${withKept ? KEPT_JOIN : ''}
       ORDER BY s.date_added`,
      params.values,
    );
    return rows.map((r) => ({
      id: r.object_id,
      type: r.kind,
      version: r.version,
      dateAdded: r._k0,
      incidentId: r.incident_id,
      ...(withKept ? { kept: r } : {}),
    }));
  }

  /**
   * The STIX objects of the entries, in their order: the incidents' objects built by the one
   * mapping from the incidents as IncidentsRepository gives them to this caller, shown as
   * the collection's party sees them.
   */
  private async materialise(
    db: EntityManager,
    principal: Principal,
    collection: TaxiiCollection,
    entries: Entry[],
  ): Promise<StixObject[]> {
    const incidentIds = [...new Set(entries.flatMap((e) => (e.incidentId ? [e.incidentId] : [])))];
    const known = foldKept(entries.flatMap((e) => (e.kept ? [e.kept] : [])));
    const built = new Map<string, StixObject>();
    for (const exportable of await this.exportables.load(db, principal, incidentIds, known)) {
      const incident = incidentViewFor(collection.viewer, exportable.incident);
      for (const o of incidentObjects({ ...exportable, incident })) built.set(o.id, o);
    }
    return entries.flatMap((e) => {
      const object = e.object ?? built.get(e.id);
      return object ? [object] : [];
    });
  }
}

/** The position a `next` names; a `next` the service did not issue is a 400 naming `next`. */
function decodeNext(next: string | undefined): string | undefined {
  try {
    return BY_DATE_ADDED.decode(next)?.values[0];
  } catch {
    throw Problem.validation([{ field: 'next', message: msg('v.cursor') }]);
  }
}

function describe(principal: Principal, c: TaxiiCollection) {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    alias: c.alias,
    can_read: true,
    // Adding objects: src/imports/taxii-add.controller.ts.
    can_write: canWrite(principal, c),
    media_types: [STIX_MEDIA_TYPE],
  };
}

/** TAXII filters on a static object (the database rows are filtered in SQL). */
function passes(filter: TaxiiFilter, id: string, type: string, version: string): boolean {
  if (filter.ids && !filter.ids.includes(id)) return false;
  if (filter.types && !filter.types.includes(type)) return false;
  if (filter.versions && !filter.versions.includes(parseTaxiiTimestamp(version)!)) return false;
  return specVersionOk(filter);
}

/** Every object served is STIX 2.1. */
function specVersionOk(filter: TaxiiFilter): boolean {
  return !filter.specVersions || filter.specVersions.includes('2.1');
}

/**
 * A TAXII envelope-like answer: `more` (and `next` when there is more), the list when it is
 * not empty (TAXII sends no empty lists), and the page's first and last `date_added`.
 */
function envelope<K extends string>(
  page: { entries: Entry[]; next: string | null },
  list: Record<K, unknown[]>,
): TaxiiPage<Record<string, unknown>> {
  const [key, items] = Object.entries(list)[0] as [K, unknown[]];
  if (page.entries.length === 0) return { body: {} };
  return {
    body: {
      more: page.next !== null,
      ...(page.next !== null ? { next: page.next } : {}),
      [key]: items,
    },
    first: page.entries[0].dateAdded,
    last: page.entries[page.entries.length - 1].dateAdded,
  };
}
