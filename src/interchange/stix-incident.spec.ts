import { StixValidator } from '../../test/fixtures/stix/stix-validator.js';
import { idsFor, input, view } from '../../test/fixtures/interchange.js';
import { incidentViewFor } from '../incidents/visibility.js';
import { TLPS } from '../vocabulary/vocabulary.js';
import {
  incidentBundle,
  incidentObjects,
  incidentReferences,
  observableKey,
} from './stix-incident.js';
import { TLP_MARKINGS } from './stix-markings.js';
import { stixPattern } from './stix-patterns.js';

const UUID4 = /^[a-z-]+--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TLP1_IDS = [
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
];

type Obj = Record<string, any>;
const objectsOf = (bundle: Obj): Obj[] => bundle.objects;

describe('STIX 2.1 mapping of an incident', () => {
  const validator = new StixValidator();

  it.each(TLPS)('%s: every object validates against its own OASIS schema', (tlp) => {
    const bundle = incidentBundle(input(view(tlp)));
    const objects = objectsOf(bundle);
    expect(validator.validateObjects(objects as any)).toEqual([]);
    expect(validator.referenceChecks(objects, { bundleId: bundle.id, enforceRefs: true })).toEqual(
      [],
    );
    expect(objects.map((o) => o.type).sort()).toEqual(
      [
        'extension-definition',
        'identity',
        'incident',
        ...Array(9).fill('indicator'),
        'marking-definition',
        ...(tlp === 'TLP:CLEAR' ? [] : ['marking-definition']),
        ...Array(10).fill('relationship'),
        'vulnerability',
      ].sort(),
    );
  });

  it('the validator catches a broken incident, pattern-less indicator and a forged marking', () => {
    const objects = objectsOf(incidentBundle(input(view('TLP:AMBER'))));
    const incident = { ...objects.find((o) => o.type === 'incident')!, modified: 'yesterday' };
    const indicator = { ...objects.find((o) => o.type === 'indicator')! };
    delete indicator.pattern;
    const marking = { ...TLP_MARKINGS['TLP:AMBER'], name: 'TLP:ORANGE' };
    const failures = validator.validateObjects([incident, indicator, marking] as any);
    expect(failures.map((f) => f.type)).toEqual(['incident', 'indicator', 'marking-definition']);
  });

  it('the reference checks catch what stix2-validator --strict refuses beyond the schemas', () => {
    const objects = objectsOf(incidentBundle(input(view('TLP:AMBER'))));
    const of = (type: string) => ({ ...objects.find((o) => o.type === type)! });
    const v5 = { ...of('incident'), id: 'incident--4a9f1ec5-89e2-5d0b-8e41-88305455ef24' };
    const older = { ...of('incident'), modified: '2020-01-01T00:00:00.000Z' };
    const unquoted = { ...of('indicator'), pattern: `[file:hashes.SHA-256 = '${'a'.repeat(64)}']` };
    const escape = { ...of('indicator'), pattern: "[url:value = 'http://x.example/a\\qb']" };
    const unknown = { ...of('indicator'), pattern: "[IPv4_Addr:value = '198.51.100.7']" };
    const short = { ...of('indicator'), pattern: "[file:hashes.'SHA-256' = 'abc']" };
    const nameless = { ...of('indicator') };
    delete nameless.description;
    const linked = {
      ...of('incident'),
      external_references: [{ source_name: 'ccc', url: 'https://ccc.example/incidents/1' }],
    };
    const indicates = { ...of('relationship'), relationship_type: 'indicates' };
    const person = { ...of('identity'), identity_class: 'organisation', sectors: ['gov'] };
    const dangling = {
      ...of('relationship'),
      target_ref: 'incident--11111111-1111-4111-8111-111111111111',
    };
    const checksOf = (o: Obj) =>
      validator.referenceChecks([o], { enforceRefs: o === dangling }).map((f) => f.split(':')[0]);
    expect(checksOf(v5)).toEqual(['uuid-check']);
    expect(checksOf(older)).toEqual(['must']);
    expect(checksOf(unquoted)).toEqual(['must']);
    expect(checksOf(escape)).toEqual(['must']);
    expect(checksOf(unknown)).toEqual(['must']);
    expect(checksOf(short)).toEqual(['must']);
    expect(checksOf(nameless)).toEqual(['indicator-properties']);
    expect(checksOf(linked)).toEqual(['extref-hashes']);
    expect(checksOf(indicates)).toEqual(['relationship-types']);
    expect(checksOf(person)).toEqual(['identity-class', 'industry-sector']);
    expect(checksOf(dangling)).toEqual(['enforce-relationship-refs', 'enforce-relationship-refs']);
    const bundle = { bundleId: 'bundle--d00d569e-6394-51c3-903e-174fb2c3d662' };
    expect(validator.referenceChecks([], bundle)).toEqual([
      'uuid-check: bundle--d00d569e-6394-51c3-903e-174fb2c3d662 is not a valid UUIDv4 id',
    ]);
    const twice = [of('incident'), of('incident')];
    expect(validator.referenceChecks(twice).map((f) => f.split(':')[0])).toEqual(['duplicate-ids']);
  });

  it('writes patterns with quoted hash names, RFC 5952 IPv6, punycode domains, escaped quotes', () => {
    const patterns = objectsOf(incidentBundle(input(view('TLP:GREEN'))))
      .filter((o) => o.type === 'indicator')
      .map((o) => o.pattern);
    expect(patterns).toEqual([
      "[ipv4-addr:value = '198.51.100.7']",
      "[ipv6-addr:value = '2001:db8::1']",
      "[domain-name:value = 'xn--e1afmkfd.xn--80akhbyknj4f']",
      "[url:value = 'https://xn--e1afmkfd.xn--p1ai/a\\'b/c?q=1']",
      "[email-addr:value = 'o\\'brien@bank.example']",
      "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
      "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
      "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
      '[autonomous-system:number = 64500]',
    ]);
    expect(stixPattern('domain', "a'b\\c")).toBe("[domain-name:value = 'a\\'b\\\\c']");
    expect(() => stixPattern('cve', 'CVE-2026-1')).toThrow('no STIX pattern');
    expect(() => stixPattern('asn', 'AS1')).toThrow('not a normalised ASN');
  });

  it('maps a CVE to a vulnerability with its CVE reference', () => {
    const vulnerability = objectsOf(incidentBundle(input(view('TLP:GREEN')))).find(
      (o) => o.type === 'vulnerability',
    )!;
    expect(vulnerability).toMatchObject({
      name: 'CVE-2026-12345',
      external_references: [{ source_name: 'cve', external_id: 'CVE-2026-12345' }],
    });
  });

  it.each(TLPS)(
    '%s: one TLP 2.0 marking on every object, defined in the bundle; no TLP 1.0 id',
    (tlp) => {
      const objects = objectsOf(incidentBundle(input(view(tlp))));
      const defined = new Set(
        objects.filter((o) => o.type === 'marking-definition').map((o) => o.id),
      );
      for (const o of objects) {
        if (o.type === 'marking-definition' || o.type === 'extension-definition') continue;
        const expected = o.type === 'identity' ? 'TLP:CLEAR' : tlp;
        expect({ id: o.id, refs: o.object_marking_refs }).toEqual({
          id: o.id,
          refs: [TLP_MARKINGS[expected].id],
        });
        expect(defined.has(o.object_marking_refs[0])).toBe(true);
      }
      for (const id of TLP1_IDS) expect(JSON.stringify(objects)).not.toContain(id);
    },
  );

  it('refers only to objects of the bundle, created by the reporting party', () => {
    const objects = objectsOf(incidentBundle(input(view('TLP:AMBER'))));
    const ids = new Set(objects.map((o) => o.id));
    const identity = objects.find((o) => o.type === 'identity')!;
    expect(identity.name).toBe('Belarus (BY) national CERT');
    for (const o of objects) {
      if (o.created_by_ref !== undefined && o.type !== 'extension-definition') {
        expect(o.created_by_ref).toBe(identity.id);
      }
      for (const ref of [o.source_ref, o.target_ref].filter(Boolean)) {
        expect(ids.has(ref)).toBe(true);
      }
    }
    const relationships = objects.filter((o) => o.type === 'relationship');
    expect(new Set(relationships.map((r) => r.target_ref))).toEqual(
      new Set(['incident--0f8fad5b-d9cb-469f-a165-70867728950e']),
    );
    expect(relationships.map((r) => r.relationship_type)).toEqual(Array(10).fill('related-to'));
  });

  it('uses UUIDv4 ids for every SDO and SRO, the same ones on every export', () => {
    const first = objectsOf(incidentBundle(input(view('TLP:GREEN'))));
    const again = objectsOf(incidentBundle(input(view('TLP:GREEN'))));
    expect(again).toEqual(first);
    for (const o of first) {
      if (o.type === 'marking-definition' || o.type === 'extension-definition') continue;
      expect(o.id).toMatch(UUID4);
    }
    const bundles = [
      incidentBundle(input(view('TLP:GREEN'))),
      incidentBundle(input(view('TLP:GREEN'))),
    ];
    for (const b of bundles) expect(b.id).toMatch(UUID4);
    expect(bundles[0].id).not.toBe(bundles[1].id);
  });

  it('carries the incident version as modified and the facts STIX has no property for', () => {
    const incident = incidentObjects(input(view('TLP:GREEN')))[0];
    expect(incident).toMatchObject({
      id: 'incident--0f8fad5b-d9cb-469f-a165-70867728950e',
      name: 'Phishing wave against banks',
      created: '2026-03-02T10:00:00.123Z',
      modified: '2026-03-02T11:00:00.456789Z',
      labels: [
        'rsit:fraud="phishing"',
        'ccc:severity="high"',
        'ccc:sector="finance"',
        'ccc:status="triaged"',
      ],
      external_references: [{ source_name: 'ccc', external_id: 'CCC-2026-000042' }],
    });
    expect(incident.description).toContain('Lookalike domains of three banks.');
    expect(incident.description).toContain('Dispatched to KZ.');
    // Assignees are the center's business: never exported.
    expect(JSON.stringify(incident)).not.toContain('duty');
  });

  it('reads the same to every reader, never naming TLP-withheld constituency matches', () => {
    const red = view('TLP:RED');
    const forReporter = incidentObjects(input(incidentViewFor('BY', red)));
    const forCenter = incidentObjects(input(red));
    const forKz = incidentObjects(input(incidentViewFor('KZ', red)));
    expect(forReporter).toEqual(forKz);
    expect(forCenter).toEqual(forKz);
    expect(JSON.stringify(forCenter)).not.toContain('RU');
  });

  it('refuses an observable without stored ids rather than inventing one', () => {
    const incident = view('TLP:GREEN');
    const ids = idsFor(incident);
    ids.delete(observableKey('asn', '64500'));
    expect(() => incidentObjects({ ...input(incident), observables: ids })).toThrow('no STIX ids');
  });

  it('defines each referenced marking and identity once for several incidents', () => {
    const refs = incidentReferences([
      view('TLP:RED'),
      view('TLP:GREEN', { reportingState: 'KZ' }),
      view('TLP:RED'),
    ]);
    expect(refs.map((o) => o.name)).toEqual([
      'TLP 2.0',
      'TLP:RED',
      'TLP:GREEN',
      'TLP:CLEAR',
      'Belarus (BY) national CERT',
      'Kazakhstan (KZ) national CERT',
    ]);
  });
});
