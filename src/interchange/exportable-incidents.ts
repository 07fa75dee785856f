import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/principal.js';
import type { IncidentView } from '../incidents/incident-view.js';
import { allQueries } from '../common/sql.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import { observableKey, type IncidentStix } from './stix-incident.js';
import { StixObjectsRepository, type KeptStix } from './stix-objects.repository.js';

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

  /**
   * The visible ones among `ids`, in that order. `known`: kept ids the caller already read in
   * the same snapshot (a TAXII page's rows); stix_objects is read only for the incidents of
   * which it does not hold every object.
   */
  async load(
    db: EntityManager,
    principal: Principal,
    ids: string[],
    known?: ReadonlyMap<string, KeptStix>,
  ): Promise<IncidentStix[]> {
    let views: IncidentView[];
    let kept: ReadonlyMap<string, KeptStix>;
    if (known === undefined) {
      [views, kept] = await allQueries(db, [
        () => this.incidents.findManyVisible(principal, ids, db),
        () => this.stixObjects.keptFor(db, ids),
      ]);
    } else {
      views = await this.incidents.findManyVisible(principal, ids, db);
      const missing = views.filter((v) => !holdsAll(known.get(v.id), v)).map((v) => v.id);
      kept =
        missing.length === 0
          ? known
          : new Map([...known, ...(await this.stixObjects.keptFor(db, missing))]);
    }
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

/** Whether `kept` has the incident's own object and both objects of each observable. */
function holdsAll(kept: KeptStix | undefined, incident: IncidentView): boolean {
  return (
    kept !== undefined &&
    incident.observables.every((o) => kept.observables.has(observableKey(o.type, o.value)))
  );
}
