import { createHash } from 'node:crypto';
import type { ObservableType } from '../vocabulary/vocabulary.js';
import { partyIdentity } from './stix-identities.js';
import { observableKey, rsitTag, type IncidentStix } from './stix-incident.js';
import { uuidV5 } from './uuid-v5.js';

/**
 * MISP attribute type, category and IDS flag of each observable type: pairs MISP accepts
 * (PyMISP describeTypes.json; INTEROP F-5).
 */
const ATTRIBUTES: Record<ObservableType, { type: string; category: string; toIds: boolean }> = {
  ipv4: { type: 'ip-dst', category: 'Network activity', toIds: true },
  ipv6: { type: 'ip-dst', category: 'Network activity', toIds: true },
  domain: { type: 'domain', category: 'Network activity', toIds: true },
  url: { type: 'url', category: 'Network activity', toIds: true },
  email: { type: 'email-src', category: 'Payload delivery', toIds: true },
  md5: { type: 'md5', category: 'Payload delivery', toIds: true },
  sha1: { type: 'sha1', category: 'Payload delivery', toIds: true },
  sha256: { type: 'sha256', category: 'Payload delivery', toIds: true },
  cve: { type: 'vulnerability', category: 'External analysis', toIds: false },
  asn: { type: 'AS', category: 'Network activity', toIds: false },
};

/** Tag colours of the MISP tlp taxonomy. */
const TLP_COLOURS: Record<string, string> = {
  'TLP:RED': '#FF2B2B',
  'TLP:AMBER+STRICT': '#FFC000',
  'TLP:AMBER': '#FFC000',
  'TLP:GREEN': '#33FF00',
  'TLP:CLEAR': '#ffffff',
};
const OTHER_TAG_COLOUR = '#0088cc';

const THREAT_LEVELS: Record<string, string> = {
  critical: '1',
  high: '1',
  medium: '2',
  low: '3',
};

const ANALYSIS: Record<string, string> = {
  new: '0',
  triaged: '0',
  in_progress: '1',
};

/** Namespace of attribute UUIDs: UUIDv5(incident id, type, value), the same on every export. */
const ATTRIBUTE_NAMESPACE = '4e1ad0f4-8d7b-4f0e-9d0b-3c0c6b0d7a11';

/** A tag as PyMISP writes it into feeds: global (`local: false`), no relationship type. */
function tag(name: string, colour: string) {
  return { colour, local: false, name, relationship_type: '' };
}

function epochSeconds(timestamp: string): string {
  return String(Math.floor(Date.parse(timestamp) / 1000));
}

/** The MISP organisation of a party: its STIX identity's UUID, so both formats agree. */
export function partyOrg(party: string): { name: string; uuid: string } {
  const identity = partyIdentity(party);
  return { name: identity.name as string, uuid: identity.id.replace(/^identity--/, '') };
}

/**
 * One incident as a MISP event (`{"Event": …}`, the form MISP exports and feeds serve):
 * `uuid` is the incident id, `info` its reference and title, `timestamp` its version in epoch
 * seconds, tags its TLP (`tlp:amber`…) and RSIT category (`rsit:fraud="phishing"`), one
 * attribute per observable. `distribution` and sharing groups are left to the receiver. An
 * incident without observables is not `published` (MISP refuses empty published events).
 */
export function mispEvent(input: IncidentStix): { Event: Record<string, unknown> } {
  const { incident } = input;
  const timestamp = input.eventTimestamp || epochSeconds(input.version);
  const tlpTag = incident.tlp.toLowerCase();
  const observables = incident.observables.map(({ type, value }) => {
    const kept = input.observables.get(observableKey(type, value));
    if (!kept) throw new Error(`no kept version for an observable of incident ${incident.id}`);
    const map = ATTRIBUTES[type];
    return {
      uuid: uuidV5(`${incident.id}\u0000${type}\u0000${value}`, ATTRIBUTE_NAMESPACE),
      type: map.type,
      category: map.category,
      value,
      to_ids: map.toIds,
      timestamp: epochSeconds(kept.version),
      comment: `${type} of ${incident.reference}`,
    };
  });
  const attributes = [...observables];
  if (incident.description) {
    // MISP events have no description field: the text travels as a comment attribute.
    attributes.push({
      uuid: uuidV5(`${incident.id}\u0000description`, ATTRIBUTE_NAMESPACE),
      type: 'comment',
      category: 'Other',
      value: incident.description,
      to_ids: false,
      timestamp,
      comment: `description of ${incident.reference}`,
    });
  }
  return {
    Event: {
      uuid: incident.id,
      info: `${incident.reference} – ${incident.title}`,
      date: (incident.occurredAt ?? incident.createdAt).toISOString().slice(0, 10),
      timestamp,
      publish_timestamp: timestamp,
      published: observables.length > 0,
      analysis: ANALYSIS[incident.status] ?? '2',
      threat_level_id: THREAT_LEVELS[incident.severity] ?? '4',
      Orgc: partyOrg(incident.reportingState),
      Tag: [
        tag(tlpTag, TLP_COLOURS[incident.tlp] ?? OTHER_TAG_COLOUR),
        tag(rsitTag(incident.category), OTHER_TAG_COLOUR),
      ],
      Attribute: attributes,
    },
  };
}

/**
 * The MISP feed manifest entry of an event, as PyMISP's feed generator writes it
 * (`MISPEvent.manifest`): the event's own fields, with `analysis`, `threat_level_id` and
 * `timestamp` as numbers (strings in the event file, as MISP exports them).
 */
export function mispManifestEntry(event: { Event: Record<string, unknown> }) {
  const e = event.Event;
  return {
    Orgc: e.Orgc,
    Tag: e.Tag,
    info: e.info,
    date: e.date,
    analysis: Number(e.analysis),
    threat_level_id: Number(e.threat_level_id),
    timestamp: Number(e.timestamp),
  };
}

/** The `hashes.csv` lines of an event: `md5(value),event uuid` per attribute (PyMISP). */
export function mispHashLines(event: { Event: Record<string, unknown> }): string[] {
  const uuid = event.Event.uuid as string;
  return (event.Event.Attribute as { value: string }[]).map(
    (a) => `${createHash('md5').update(a.value, 'utf8').digest('hex')},${uuid}`,
  );
}
