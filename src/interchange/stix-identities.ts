import { CCC_PARTY } from '../vocabulary/member-states.js';
import { TLP_MARKINGS, type StixObject } from './stix-markings.js';

/** When the parties' identity objects were first written; they have one version. */
const IDENTITY_CREATED = '2026-01-01T00:00:00.000Z';

/**
 * The `identity` of each party: its national CERT, or the coordination center. The ids are
 * UUIDv4, generated once and kept here (STIX: SDO ids are random; INTEROP T-STIX-5), so
 * every export and every TAXII collection names a party the same way.
 */
const PARTIES: Record<string, { id: string; name: string; description: string; sector?: string }> =
  {
    AM: {
      id: 'identity--bc17c8e9-d998-477f-9b06-7105b71237d3',
      name: 'Armenia (AM) national CERT',
      description: 'The national CERT of Armenia, a member state of the CSTO CCC.',
    },
    BY: {
      id: 'identity--f99b6066-087d-4213-8850-4820dc23116a',
      name: 'Belarus (BY) national CERT',
      description: 'The national CERT of Belarus, a member state of the CSTO CCC.',
    },
    KZ: {
      id: 'identity--4a08655b-fce6-4671-bd97-242e59a8bc65',
      name: 'Kazakhstan (KZ) national CERT',
      description: 'The national CERT of Kazakhstan, a member state of the CSTO CCC.',
    },
    KG: {
      id: 'identity--59e18b42-696c-4c18-8d2d-89bbc5a19c29',
      name: 'Kyrgyzstan (KG) national CERT',
      description: 'The national CERT of Kyrgyzstan, a member state of the CSTO CCC.',
    },
    RU: {
      id: 'identity--2d82774d-195f-4572-a889-d9fdf052403b',
      name: 'Russia (RU) national CERT',
      description: 'The national CERT of Russia, a member state of the CSTO CCC.',
    },
    TJ: {
      id: 'identity--9c1eb09b-6f9f-44cd-8c9a-d8c6aab432d2',
      name: 'Tajikistan (TJ) national CERT',
      description: 'The national CERT of Tajikistan, a member state of the CSTO CCC.',
    },
    [CCC_PARTY]: {
      id: 'identity--53bcf1e5-dd38-42c7-ac63-b4fc54e855a3',
      name: 'CCC coordination center',
      description:
        'The Coordination and Consultation Center of the CSTO on computer incidents (CCC).',
      sector: 'government',
    },
  };

/** Every party's identity object (TLP:CLEAR: who the parties are is no secret). */
export function partyIdentity(party: string): StixObject {
  const known = PARTIES[party];
  if (!known) throw new Error(`no identity for party ${party}`);
  return {
    type: 'identity',
    spec_version: '2.1',
    id: known.id,
    created: IDENTITY_CREATED,
    modified: IDENTITY_CREATED,
    name: known.name,
    description: known.description,
    identity_class: 'organization',
    sectors: [known.sector ?? 'government-national'],
    object_marking_refs: [TLP_MARKINGS['TLP:CLEAR'].id],
  };
}

/** The id of a party's identity object. */
export function partyIdentityId(party: string): string {
  return partyIdentity(party).id;
}
