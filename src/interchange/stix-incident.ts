import { randomUUID } from 'node:crypto';
import type { IncidentView } from '../incidents/incident-view.js';
import { partyIdentity } from './stix-identities.js';
import {
  markingsFor,
  TLP_EXTENSION_DEFINITION,
  tlpMarking,
  type StixObject,
} from './stix-markings.js';
import { stixPattern } from './stix-patterns.js';

/**
 * The ids and version of what one observable of an incident becomes: an `indicator` (a
 * `vulnerability` for a CVE) and the `relationship` tying it to the incident. Generated once
 * (UUIDv4) when the observable is stored and kept (table stix_objects), never derived.
 */
export interface ObservableStixIds {
  objectId: string;
  relationshipId: string;
  /** When the observable was added (STIX `created` = `modified`; it has one version). */
  version: string;
}

export interface IncidentStix {
  /** The incident as the reader may see it: already trimmed by incidentViewFor. */
  incident: IncidentView;
  /** The incident object's current version (STIX `modified`), microsecond text. */
  version: string;
  /** The MISP event `timestamp` of that version, kept so it grows with every version. */
  eventTimestamp?: string;
  /** Per observable, by observableKey(type, value). */
  observables: ReadonlyMap<string, ObservableStixIds>;
}

/** The key of an observable in IncidentStix.observables. */
export function observableKey(type: string, value: string): string {
  return `${type}\u0000${value}`;
}

/** The STIX id of an incident: its own UUID (v4), so it never changes. */
export function incidentStixId(incidentId: string): string {
  return `incident--${incidentId}`;
}

/** `class/type` as a MISP machine tag, the form both STIX labels and MISP tags use. */
export function rsitTag(category: string): string {
  const [cls, type] = category.split('/');
  return `rsit:${cls}="${type}"`;
}

/**
 * One incident as STIX 2.1 objects: the `incident`, then per observable an `indicator`
 * (with its pattern) or a `vulnerability` (CVE) and a `related-to` relationship to the
 * incident. Every object is created by the reporting party's identity and marked with the
 * incident's TLP. The shared objects it refers to (identity, markings, the TLP extension)
 * are `incidentReferences`.
 */
export function incidentObjects(input: IncidentStix): StixObject[] {
  const { incident } = input;
  const createdBy = partyIdentity(incident.reportingState).id;
  const marking = [tlpMarking(incident.tlp).id];
  const incidentId = incidentStixId(incident.id);
  const out: StixObject[] = [
    {
      type: 'incident',
      spec_version: '2.1',
      id: incidentId,
      created_by_ref: createdBy,
      created: incident.createdAt.toISOString(),
      modified: input.version,
      name: incident.title,
      description: incidentDescription(incident),
      labels: [
        rsitTag(incident.category),
        `ccc:severity="${incident.severity}"`,
        `ccc:sector="${incident.sector}"`,
        `ccc:status="${incident.status}"`,
      ],
      // No console URL: stix2-validator --strict wants a hash with every URL (its check 302).
      external_references: [{ source_name: 'ccc', external_id: incident.reference }],
      object_marking_refs: marking,
    },
  ];
  for (const { type, value } of incident.observables) {
    const ids = input.observables.get(observableKey(type, value));
    if (!ids) throw new Error(`no STIX ids for an observable of incident ${incident.id}`);
    const common = {
      spec_version: '2.1',
      id: ids.objectId,
      created_by_ref: createdBy,
      created: ids.version,
      modified: ids.version,
    };
    const description = `Observable (${type}) of ${incident.reference}.`;
    out.push(
      type === 'cve'
        ? {
            type: 'vulnerability',
            ...common,
            name: value,
            description,
            external_references: [{ source_name: 'cve', external_id: value }],
            object_marking_refs: marking,
          }
        : {
            type: 'indicator',
            ...common,
            name: `${type} ${value}`,
            description,
            pattern: stixPattern(type, value),
            pattern_type: 'stix',
            pattern_version: '2.1',
            valid_from: ids.version,
            object_marking_refs: marking,
          },
      {
        type: 'relationship',
        spec_version: '2.1',
        id: ids.relationshipId,
        created_by_ref: createdBy,
        created: ids.version,
        modified: ids.version,
        relationship_type: 'related-to',
        source_ref: ids.objectId,
        target_ref: incidentId,
        object_marking_refs: marking,
      },
    );
  }
  return out;
}

/**
 * What the objects of these incidents refer to: the TLP extension definition, the marking
 * definitions used (the incidents' TLPs, and CLEAR for the identities), and the reporting
 * parties' identities.
 */
export function incidentReferences(incidents: readonly IncidentView[]): StixObject[] {
  const parties = [...new Set(incidents.map((i) => i.reportingState))].sort();
  return [
    TLP_EXTENSION_DEFINITION,
    ...markingsFor(['TLP:CLEAR', ...incidents.map((i) => i.tlp)]),
    ...parties.map(partyIdentity),
  ];
}

/** One incident as a STIX 2.1 bundle: what it refers to, then its own objects. */
export function incidentBundle(input: IncidentStix): StixObject {
  return {
    type: 'bundle',
    id: `bundle--${randomUUID()}`,
    objects: [...incidentReferences([input.incident]), ...incidentObjects(input)],
  };
}

/**
 * The incident's facts that STIX's incident stub has no property for, in words: its
 * classification and who it went to. Never the constituency matches withheld by TLP
 * (`routing.suggested`): an object version must read the same to everyone who receives it,
 * in every collection and export, and those are for the reporter and the center only.
 */
function incidentDescription(i: IncidentView): string {
  const facts = [
    `${i.reference}: ${i.category}, ${i.severity} severity, ${i.sector} sector, status ${i.status}.`,
    `Reported by ${i.reportingState}.`,
    i.routing.dispatchedTo.length > 0
      ? `Dispatched to ${i.routing.dispatchedTo.join(', ')}.`
      : 'Dispatched to no other member state.',
  ];
  if (i.resolution) {
    facts.push(`Resolution: ${i.resolution.summary}`);
    if (i.resolution.lessonsLearned) facts.push(`Lessons learned: ${i.resolution.lessonsLearned}`);
  }
  if (i.duplicateOf) facts.push(`Duplicate of incident ${i.duplicateOf}.`);
  if (i.occurredAt) facts.push(`Occurred at ${i.occurredAt.toISOString()}.`);
  if (i.detectedAt) facts.push(`Detected at ${i.detectedAt.toISOString()}.`);
  const summary = facts.join(' ');
  return i.description ? `${i.description}\n\n${summary}` : summary;
}
