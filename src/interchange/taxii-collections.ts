import { MEMBER_STATES } from '../vocabulary/member-states.js';
import type { Principal } from '../common/principal.js';
import type { SqlParams } from '../common/sql.js';
import { COMMUNITY_TLPS, TLPS } from '../vocabulary/vocabulary.js';
import { partyIdentity } from './stix-identities.js';
import {
  TLP_EXTENSION_DEFINITION,
  TLP_MARKINGS,
  type StixObject,
  type Tlp,
} from './stix-markings.js';

/**
 * The collections of the TAXII API root `/taxii2/ccc/` (contract: Interchange). Which
 * incidents a collection holds is its membership rule below; who may read it is `canRead`;
 * what a caller gets of it is always also cut by the one visibility rule (visibleTo).
 */
export interface TaxiiCollection {
  /** UUIDv4, fixed: clients keep it. */
  id: string;
  alias: string;
  title: string;
  description: string;
  /** Membership of the incidents row aliased `alias`, as SQL. */
  member(alias: string, params: SqlParams): string;
  /** The party whose view of an incident the collection shows (incidentViewFor). */
  viewer: string;
  /** The TLPs of the incidents it can hold: their marking definitions are served in it. */
  tlps: readonly Tlp[];
}

const STATE_IDS: Record<string, string> = {
  AM: '9b7111cc-6573-4d7d-b0b5-56fcbd9ba9c5',
  BY: '6c9abd64-c41e-4aa6-9789-d6008ca4e4bf',
  KZ: '3ea6d907-1ce1-4a61-adc1-655ad06c16de',
  KG: 'e8ba7947-90b7-444b-b767-d98986376e92',
  RU: 'f2b0fc24-761c-4957-9e66-57ddbb8b0c0d',
  TJ: 'b03c0169-4fc1-4d3a-9dda-3726a970a8ff',
};

/** Not a party: the view every member state gets of a community incident. */
const COMMUNITY_VIEWER = 'community';

export const COLLECTIONS: readonly TaxiiCollection[] = [
  {
    id: '73fa5487-4dde-4671-a89c-3be7feabbc41',
    alias: 'public',
    title: 'CCC public',
    description: 'Incidents marked TLP:CLEAR.',
    member: (a, p) => `${a}.tlp = ${p.add('TLP:CLEAR')}`,
    viewer: COMMUNITY_VIEWER,
    tlps: ['TLP:CLEAR'],
  },
  {
    id: '278127b3-7a31-4c2f-85e5-7003e7c7fe41',
    alias: 'community',
    title: 'CCC community',
    description: 'Incidents marked TLP:CLEAR or TLP:GREEN: for the member-state CERTs.',
    member: (a, p) => `${a}.tlp = ANY(${p.add([...COMMUNITY_TLPS])}::text[])`,
    viewer: COMMUNITY_VIEWER,
    tlps: ['TLP:CLEAR', 'TLP:GREEN'],
  },
  ...MEMBER_STATES.map((state): TaxiiCollection => ({
    id: STATE_IDS[state],
    alias: `state-${state}`,
    title: `CCC ${partyIdentity(state).name as string}`,
    description: `Incidents reported by ${state} or dispatched to ${state}, as ${state} sees them.`,
    member: (a, p) => {
      const code = p.add(state);
      return `(${a}.reporting_state = ${code} OR EXISTS (SELECT 1 FROM dispatches col_d
                 WHERE col_d.incident_id = ${a}.id AND col_d.state = ${code}))`;
    },
    viewer: state,
    tlps: TLPS,
  })),
];

/** An analyst reads `public`, `community` and its own state's; coordinators and admins all. */
export function canRead(principal: Principal, collection: TaxiiCollection): boolean {
  if (principal.role !== 'analyst') return true;
  return collection.viewer === COMMUNITY_VIEWER || collection.viewer === principal.state;
}

/**
 * `state-XX` is writable by XX's analysts and by coordinators: objects added there are
 * imported as filed by XX (src/imports). `public` and `community` are read-only.
 */
export function canWrite(principal: Principal, collection: TaxiiCollection): boolean {
  if (collection.viewer === COMMUNITY_VIEWER) return false;
  if (principal.role === 'coordinator') return true;
  return principal.role === 'analyst' && principal.state === collection.viewer;
}

/** The member state a writable collection files for (`state-XX` → XX), else null. */
export function stateOf(collection: TaxiiCollection): string | null {
  return collection.viewer === COMMUNITY_VIEWER ? null : collection.viewer;
}

/** The collections a caller may read, in the order above. */
export function readableCollections(principal: Principal): TaxiiCollection[] {
  return COLLECTIONS.filter((c) => canRead(principal, c));
}

/** An object every collection serves besides its incidents' own, with its fixed date_added. */
export interface StaticObject {
  object: StixObject;
  version: string;
  dateAdded: string;
}

/**
 * What the incidents' objects refer to: the TLP extension definition, the marking
 * definitions of the collection's TLPs, and every party's identity. They never change;
 * their `date_added` is the service's epoch, one microsecond apart, before any incident.
 */
export function staticObjects(collection: TaxiiCollection): StaticObject[] {
  const objects = [
    TLP_EXTENSION_DEFINITION,
    ...TLPS.filter((t) => collection.tlps.includes(t)).map((t) => TLP_MARKINGS[t]),
    ...[...MEMBER_STATES, 'CCC'].map(partyIdentity),
  ];
  return objects.map((object, n) => ({
    object,
    version: (object.modified ?? object.created) as string,
    dateAdded: `2026-01-01T00:00:00.${String(n + 1).padStart(6, '0')}Z`,
  }));
}
