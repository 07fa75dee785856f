import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { allQueries } from '../common/sql.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import type { IncidentStix } from './stix-incident.js';
import { StixObjectsRepository } from './stix-objects.repository.js';

/**
 * Incidents ready for the STIX and MISP mappings: each as IncidentsRepository gives it to
 * the caller (visibility applied, trimmed for the caller), with its kept STIX ids, versions
 * and MISP event timestamp. Read with the caller's `db`: pass a transaction's manager to
 * read both in one snapshot.
 */
@Injectable()
export class ExportableIncidents {
  constructor(
    private readonly incidents: IncidentsRepository,
    private readonly stixObjects: StixObjectsRepository,
  ) {}

  /** The visible ones among `ids`, in that order. */
  async load(db: EntityManager, principal: Principal, ids: string[]): Promise<IncidentStix[]> {
    const [views, kept] = await allQueries(db, [
      () => this.incidents.findManyVisible(principal, ids, db),
      () => this.stixObjects.keptFor(db, ids),
    ]);
    return views.map((incident) => {
      const stix = kept.get(incident.id);
      if (!stix) {
        throw new Error(`incident ${incident.id} has no STIX objects (trigger incidents_stix_*)`);
      }
      return {
        incident,
        version: stix.version,
        eventTimestamp: stix.eventTimestamp,
        observables: stix.observables,
      };
    });
  }
}
