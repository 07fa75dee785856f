import { TLP_EXTENSION_ID, type Tlp } from '../interchange/stix-markings.js';
import { TLPS } from '../vocabulary/vocabulary.js';

/**
 * TLP of imported content (INTEROP L-3, L-4, M-3): marking definitions recognised by id
 * (TLP 2.0 and the STIX 2.1 predefined TLP 1.0 objects, WHITE read as CLEAR), by content
 * (`definition_type: "tlp"`, the TLP 2.0 extension, OpenCTI's `x_opencti_definition`), and
 * MISP `tlp:` tags. Several found: the most restrictive wins. Nothing found: null, never
 * CLEAR (L-5): the caller falls back on the importer's `tlp` or fails the item.
 */

/** Marking-definition ids whose meaning is fixed by a standard. */
export const TLP_BY_MARKING_ID: Readonly<Record<string, Tlp>> = {
  // TLP 2.0 (oasis-open/cti-stix-common-objects)
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'TLP:CLEAR',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'TLP:GREEN',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'TLP:AMBER',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'TLP:AMBER+STRICT',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'TLP:RED',
  // TLP 1.0, predefined by STIX 2.1 §7.2.1.4
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'TLP:CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'TLP:GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'TLP:AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'TLP:RED',
};

/** A TLP word (`amber+strict`, `TLP:AMBER`, `white`) as a TLP 2.0 label, or null. */
export function tlpFromWord(word: unknown): Tlp | null {
  if (typeof word !== 'string') return null;
  const w = word
    .trim()
    .toLowerCase()
    .replace(/^tlp:\s*/, '');
  if (w === 'white') return 'TLP:CLEAR';
  const label = `TLP:${w.toUpperCase()}`;
  return (TLPS as readonly string[]).includes(label) ? (label as Tlp) : null;
}

/** The TLP a marking-definition object states by its content, or null (not a TLP marking). */
export function tlpOfMarkingDefinition(marking: Record<string, unknown>): Tlp | null {
  const known = typeof marking.id === 'string' ? TLP_BY_MARKING_ID[marking.id] : undefined;
  if (known) return known;
  const definition = marking.definition as Record<string, unknown> | undefined;
  if (marking.definition_type === 'tlp' && definition) return tlpFromWord(definition.tlp);
  const extensions = marking.extensions as Record<string, Record<string, unknown>> | undefined;
  const tlp2 = extensions?.[TLP_EXTENSION_ID]?.tlp_2_0;
  if (tlp2 !== undefined) return tlpFromWord(tlp2);
  // OpenCTI's own markings: x_opencti_definition_type "TLP", x_opencti_definition "TLP:RED".
  if (
    typeof marking.x_opencti_definition_type === 'string' &&
    marking.x_opencti_definition_type.toUpperCase() === 'TLP'
  ) {
    return tlpFromWord(marking.x_opencti_definition ?? marking.name);
  }
  return null;
}

/** How restrictive a label is: 0 for RED, 4 for CLEAR (the order of TLPS). */
function rank(tlp: Tlp): number {
  return TLPS.indexOf(tlp);
}

/** The most restrictive of these labels (RED > AMBER+STRICT > AMBER > GREEN > CLEAR), or null. */
export function mostRestrictive(labels: Iterable<Tlp | null>): Tlp | null {
  let best: Tlp | null = null;
  for (const tlp of labels) {
    if (tlp !== null && (best === null || rank(tlp) < rank(best))) best = tlp;
  }
  return best;
}
