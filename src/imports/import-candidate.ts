import type { Tlp } from '../interchange/stix-markings.js';
import type { Msg } from '../i18n/i18n.js';
import type { Observable } from '../incidents/observables.js';

/**
 * What the mappings (stix-import.ts, misp-import.ts) make of an input: pure data, no
 * database. The import service files each candidate as an incident.
 */

/** Something of the input the service did not take, and why (never silently: contract). */
export interface Skipped {
  /** The STIX object id, MISP attribute uuid, or a path into the input. */
  ref: string;
  message: Msg;
}

/** One incident to file (or update) from the input. */
export interface Candidate {
  /** What the status shows for this item (the STIX object id, `bundle--…`, the MISP event uuid). */
  ref: string;
  /** The id whose versions are compared on re-import (with the reporting state). */
  externalId: string;
  /** ISO 8601 text: `modified` (STIX) or the event `timestamp` (MISP); later is newer. */
  version: string;
  title: string;
  description: string | null;
  /** Null: the input carries no TLP; the importer's `tlp` default applies, else the item fails. */
  tlp: Tlp | null;
  category: string | null;
  severity: string | null;
  occurredAt: string | null;
  detectedAt: string | null;
  /** Normalised and without duplicates. */
  observables: Observable[];
  /** STIX ids of the input's objects this incident is made of (TAXII status). */
  members: string[];
}

export interface Mapped {
  candidates: Candidate[];
  skipped: Skipped[];
}
