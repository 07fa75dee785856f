import amberStrictBundle from './data/tlp-amber+strict.json' with { type: 'json' };
import amberBundle from './data/tlp-amber.json' with { type: 'json' };
import clearBundle from './data/tlp-clear.json' with { type: 'json' };
import extensionBundle from './data/tlp2-extension-definition.json' with { type: 'json' };
import { TLPS } from '../vocabulary/vocabulary.js';

/** A STIX 2.1 object as JSON. */
export type StixObject = Record<string, unknown> & { type: string; id: string };

export type Tlp = (typeof TLPS)[number];

/** The id of the TLP 2.0 extension definition (oasis-open/cti-stix-common-objects). */
export const TLP_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** The TLP 2.0 `extension-definition` object, as published (data/README.md). */
export const TLP_EXTENSION_DEFINITION = extensionBundle.objects[0] as StixObject;

/** A TLP 2.0 marking as the extension's schema prescribes (for the labels upstream has no file for). */
function tlp2Marking(id: string, label: string): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${label.toUpperCase()}`,
    extensions: { [TLP_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: label } },
  };
}

/**
 * The five TLP 2.0 marking definitions, by label. CLEAR, AMBER and AMBER+STRICT are the
 * published example objects; GREEN and RED are built as the extension prescribes (the ids
 * are the ones ../shared/standards/README.md lists). Exports use only these: never a TLP 1.0
 * id (INTEROP L-1, L-2).
 */
export const TLP_MARKINGS: Readonly<Record<Tlp, StixObject>> = {
  'TLP:CLEAR': clearBundle.objects[0],
  'TLP:GREEN': tlp2Marking('marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', 'green'),
  'TLP:AMBER': amberBundle.objects[0],
  'TLP:AMBER+STRICT': amberStrictBundle.objects[0],
  'TLP:RED': tlp2Marking('marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 'red'),
};

/** The marking definition of a TLP label; an unknown label is a programming error. */
export function tlpMarking(tlp: string): StixObject {
  const marking = (TLP_MARKINGS as Record<string, StixObject | undefined>)[tlp];
  if (!marking) throw new Error(`no TLP 2.0 marking for ${tlp}`);
  return marking;
}

/** The marking definitions of these labels, in the order of TLPS (most restrictive first). */
export function markingsFor(tlps: Iterable<string>): StixObject[] {
  const wanted = new Set(tlps);
  return TLPS.filter((t) => wanted.has(t)).map((t) => TLP_MARKINGS[t]);
}
