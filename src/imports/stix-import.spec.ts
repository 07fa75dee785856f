import { readFileSync } from 'node:fs';
import type { Candidate, Mapped } from './import-candidate.js';
import { mostRestrictive, tlpOfMarkingDefinition } from './import-tlp.js';
import { mapStix } from './stix-import.js';
import { readPattern } from './stix-pattern-reader.js';

const sample = (name: string): unknown =>
  JSON.parse(readFileSync(`test/fixtures/interchange/stix/${name}`, 'utf8'));

function mapped(body: unknown): Mapped {
  const result = mapStix(body);
  if ('error' in result) throw new Error(`refused: ${result.error.key}`);
  return result;
}

const values = (c: Candidate) => c.observables.map((o) => `${o.type}:${o.value}`);
const AMBER_V1 = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82';
const RED_V1 = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
const GREEN_V2 = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const WHITE_V1 = 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function indicator(
  n: number,
  pattern: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuid(n)}`,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    pattern,
    pattern_type: 'stix',
    valid_from: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

describe('readPattern', () => {
  it('reads simple equality comparisons joined by OR and AND, hash names in any spelling', () => {
    const r = readPattern(
      "[domain-name:value = 'a.example' OR ipv4-addr:value = '198.51.100.7'] OR " +
        "[file:hashes.'SHA-256' = 'AB' AND file:hashes.MD5 = 'cd' AND file:hashes.SHA1 = 'ef']",
    );
    expect(r).toEqual({
      ok: true,
      observables: [
        { type: 'domain', value: 'a.example' },
        { type: 'ipv4', value: '198.51.100.7' },
        { type: 'sha256', value: 'AB' },
        { type: 'md5', value: 'cd' },
        { type: 'sha1', value: 'ef' },
      ],
      ignored: [],
    });
  });

  it('unescapes quotes and backslashes, reads ASNs, network traffic and e-mail senders', () => {
    const r = readPattern(
      "[url:value = 'http://x.example/a\\'b\\\\c'] OR [autonomous-system:number = 64500] OR " +
        "[network-traffic:dst_ref.value = '2001:db8::1'] OR [email-message:from_ref.value = 'a@b.example']",
    );
    expect(r.ok && r.observables).toEqual([
      { type: 'url', value: "http://x.example/a'b\\c" },
      { type: 'asn', value: '64500' },
      { type: 'ipv6', value: '2001:db8::1' },
      { type: 'email', value: 'a@b.example' },
    ]);
  });

  it('names comparisons it cannot map and keeps the others', () => {
    const r = readPattern("[file:name = 'x.exe' OR file:hashes.MD5 = 'cd']");
    expect(r).toEqual({
      ok: true,
      observables: [{ type: 'md5', value: 'cd' }],
      ignored: ['file:name ='],
    });
  });

  it('refuses patterns with nothing to map, qualifiers, or broken syntax, with a reason', () => {
    expect(readPattern("[email-message:subject MATCHES '^x']")).toEqual({
      ok: false,
      reason: {
        key: 'import.skip.pattern',
        values: { comparisons: 'email-message:subject MATCHES' },
      },
    });
    expect(readPattern("[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES")).toMatchObject({
      ok: false,
      reason: { key: 'import.skip.patternQualifier', values: { keyword: 'REPEATS' } },
    });
    expect(readPattern("[ipv4-addr:value = '1.2.3.4")).toMatchObject({
      ok: false,
      reason: { key: 'import.skip.patternSyntax' },
    });
    expect(readPattern("[ipv4-addr:value != '1.2.3.4']")).toMatchObject({ ok: false });
  });
});

describe('TLP of markings', () => {
  it('knows TLP 1.0 and 2.0 ids, content, and OpenCTI markings; most restrictive wins', () => {
    expect(tlpOfMarkingDefinition({ id: WHITE_V1 })).toBe('TLP:CLEAR');
    expect(tlpOfMarkingDefinition({ id: AMBER_V1 })).toBe('TLP:AMBER');
    expect(tlpOfMarkingDefinition({ id: GREEN_V2 })).toBe('TLP:GREEN');
    expect(
      tlpOfMarkingDefinition({
        id: `marking-definition--${uuid(9)}`,
        definition_type: 'tlp',
        definition: { tlp: 'red' },
      }),
    ).toBe('TLP:RED');
    expect(
      tlpOfMarkingDefinition({
        id: `marking-definition--${uuid(9)}`,
        extensions: {
          'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { tlp_2_0: 'amber+strict' },
        },
      }),
    ).toBe('TLP:AMBER+STRICT');
    expect(
      tlpOfMarkingDefinition({
        id: `marking-definition--${uuid(9)}`,
        x_opencti_definition_type: 'TLP',
        x_opencti_definition: 'TLP:AMBER+STRICT',
      }),
    ).toBe('TLP:AMBER+STRICT');
    expect(
      tlpOfMarkingDefinition({
        id: `marking-definition--${uuid(9)}`,
        definition_type: 'statement',
      }),
    ).toBeNull();
    expect(mostRestrictive(['TLP:GREEN', null, 'TLP:AMBER+STRICT', 'TLP:AMBER'])).toBe(
      'TLP:AMBER+STRICT',
    );
    expect(mostRestrictive([null])).toBeNull();
  });
});

describe('mapStix', () => {
  it('maps a report to one incident with the observables of its indicators (apt1)', () => {
    const { candidates, skipped } = mapped(sample('apt1.json'));
    expect(candidates).toHaveLength(1);
    const [report] = candidates;
    expect(report.ref).toMatch(/^report--/);
    expect(report.title).toContain('APT1');
    expect(values(report)).toEqual(
      expect.arrayContaining(['domain:hugesoft.org', 'md5:001dd76872d80801692ff942308c64e6']),
    );
    // /15 ranges are not single addresses; certificates are not mapped: each with a reason.
    expect(values(report).some((v) => v.startsWith('ipv4:'))).toBe(false);
    expect(skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: { key: 'import.skip.range', values: { value: '223.166.0.0/15' } },
        }),
        expect.objectContaining({
          message: expect.objectContaining({ key: 'import.skip.pattern' }),
        }),
        expect.objectContaining({
          message: { key: 'import.skip.objectType', values: { type: 'malware' } },
        }),
      ]),
    );
    // No TLP marking in apt1: the importer's default decides, never CLEAR.
    expect(report.tlp).toBeNull();
  });

  it('maps OR patterns and CVEs of a report (poisonivy), skipping a malformed domain', () => {
    const { candidates, skipped } = mapped(sample('poisonivy.json'));
    expect(candidates).toHaveLength(1);
    const v = values(candidates[0]);
    expect(v).toEqual(
      expect.arrayContaining([
        'domain:www.webserver.dynssl.com',
        'ipv4:113.10.246.30',
        'ipv4:219.90.112.203',
        expect.stringMatching(/^cve:CVE-/),
      ]),
    );
    expect(skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: {
            key: 'import.skip.malformed',
            values: { type: 'domain', value: 'domain autuo.xicp.net' },
          },
        }),
      ]),
    );
  });

  it('makes one incident of a bundle without containers, TLP from a TLP 1.0 id (AMBER)', () => {
    const { candidates, skipped } = mapped(sample('using-marking-definitions.json'));
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({
      ref: expect.stringMatching(/^bundle--/),
      tlp: 'TLP:AMBER',
      observables: [{ type: 'ipv4', value: '10.0.0.0' }],
    });
    // The statement marking is kept as text (INTEROP L-6).
    expect(candidates[0].description).toContain('Copyright (c) Stark Industries 2017.');
    expect(skipped).toEqual([]);
  });

  it('takes a granular TLP:RED marking into account (most restrictive wins)', () => {
    const { candidates, skipped } = mapped(sample('using-granular-markings.json'));
    expect(candidates[0].tlp).toBe('TLP:RED');
    // The only indicator uses MATCHES: skipped with its reason, not silently.
    expect(skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ref: expect.stringMatching(/^indicator--/),
          message: expect.objectContaining({ key: 'import.skip.pattern' }),
        }),
      ]),
    );
  });

  it('granular markings on a used object raise the TLP of the incident', () => {
    const bundle = {
      type: 'bundle',
      id: `bundle--${uuid(1)}`,
      objects: [
        indicator(2, "[ipv4-addr:value = '198.51.100.7']", {
          object_marking_refs: [GREEN_V2],
          granular_markings: [{ marking_ref: RED_V1, selectors: ['description'] }],
        }),
      ],
    };
    expect(mapped(bundle).candidates[0].tlp).toBe('TLP:RED');
    delete bundle.objects[0].granular_markings;
    expect(mapped(bundle).candidates[0].tlp).toBe('TLP:GREEN');
  });

  it('counts the markings of an object skipped for its schema: a skip never lowers the TLP', () => {
    const bundle = {
      type: 'bundle',
      id: `bundle--${uuid(11)}`,
      objects: [
        indicator(12, "[ipv4-addr:value = '198.51.100.7']", { object_marking_refs: [GREEN_V2] }),
        // No `created`: fails its schema, is skipped, and still marks the bundle RED.
        {
          type: 'malware',
          spec_version: '2.1',
          id: `malware--${uuid(13)}`,
          name: 'm',
          is_family: false,
          object_marking_refs: [RED_V1],
        },
      ],
    };
    const { candidates, skipped } = mapped(bundle);
    expect(skipped.map((s) => s.message.key)).toEqual(['import.skip.schema']);
    expect(candidates[0].tlp).toBe('TLP:RED');
  });

  it('maps an incident with the objects related to it and its DC3 activity times', () => {
    const { candidates } = mapped(sample('incident_sample_activity.json'));
    expect(candidates).toEqual([
      expect.objectContaining({
        ref: 'incident--2242662b-d581-4864-8696-fff719dc0500',
        title: 'Sample Incident 1',
        version: '2020-10-19T01:01:01.000000000Z',
        detectedAt: '2020-10-15T01:01:01.000Z',
        observables: [],
      }),
    ]);
    const related = {
      type: 'bundle',
      id: `bundle--${uuid(3)}`,
      objects: [
        {
          type: 'incident',
          spec_version: '2.1',
          id: `incident--${uuid(4)}`,
          name: 'x',
          created: '2026-01-01T00:00:00.000Z',
          modified: '2026-01-02T00:00:00.000Z',
          object_marking_refs: [WHITE_V1],
        },
        {
          type: 'ipv6-addr',
          spec_version: '2.1',
          id: `ipv6-addr--${uuid(5)}`,
          value: '2001:DB8::1',
        },
        {
          type: 'domain-name',
          spec_version: '2.1',
          id: `domain-name--${uuid(6)}`,
          value: 'Пример.рф',
        },
        {
          type: 'relationship',
          spec_version: '2.1',
          id: `relationship--${uuid(7)}`,
          relationship_type: 'related-to',
          created: '2026-01-01T00:00:00.000Z',
          modified: '2026-01-01T00:00:00.000Z',
          source_ref: `incident--${uuid(4)}`,
          target_ref: `ipv6-addr--${uuid(5)}`,
        },
        {
          type: 'relationship',
          spec_version: '2.1',
          id: `relationship--${uuid(8)}`,
          relationship_type: 'related-to',
          created: '2026-01-01T00:00:00.000Z',
          modified: '2026-01-01T00:00:00.000Z',
          source_ref: `domain-name--${uuid(6)}`,
          target_ref: `incident--${uuid(4)}`,
        },
      ],
    };
    const [c] = mapped(related).candidates;
    expect(values(c)).toEqual(['ipv6:2001:db8::1', 'domain:xn--e1afmkfd.xn--p1ai']);
    expect(c.tlp).toBe('TLP:CLEAR');
    expect(c.version).toBe('2026-01-02T00:00:00.000000000Z');
  });

  it('reads a TAXII envelope and a report referring to SCOs', () => {
    const envelope = {
      objects: [
        {
          type: 'report',
          spec_version: '2.1',
          id: `report--${uuid(1)}`,
          name: 'r',
          published: '2026-02-01T10:00:00.000Z',
          created: '2026-02-01T10:00:00.000Z',
          modified: '2026-02-01T10:00:00.000Z',
          object_refs: [`file--${uuid(2)}`, `autonomous-system--${uuid(3)}`, `url--${uuid(4)}`],
        },
        {
          type: 'file',
          spec_version: '2.1',
          id: `file--${uuid(2)}`,
          hashes: { 'SHA-256': 'A'.repeat(64), 'SHA-512': 'b'.repeat(128) },
        },
        {
          type: 'autonomous-system',
          spec_version: '2.1',
          id: `autonomous-system--${uuid(3)}`,
          number: 64500,
        },
        { type: 'url', spec_version: '2.1', id: `url--${uuid(4)}`, value: 'https://Example.COM/x' },
        {
          type: 'malware',
          spec_version: '2.1',
          id: `malware--${uuid(5)}`,
          name: 'm',
          is_family: false,
        },
        { nope: true },
      ],
    };
    const { candidates, skipped } = mapped(envelope);
    expect(values(candidates[0])).toEqual([
      `sha256:${'a'.repeat(64)}`,
      'asn:64500',
      'url:https://example.com/x',
    ]);
    expect(candidates[0].occurredAt).toBe('2026-02-01T10:00:00.000Z');
    // The malware lacks `created`: it fails its type's schema and is skipped (INTEROP S-1).
    expect(skipped).toEqual([
      {
        ref: `malware--${uuid(5)}`,
        message: {
          key: 'import.skip.schema',
          values: { error: "/ must have required property 'created'" },
        },
      },
      { ref: 'objects[5]', message: { key: 'import.skip.invalidObject' } },
    ]);
  });

  it('refuses what is not STIX', () => {
    expect(mapStix({ Event: {} })).toEqual({ error: { key: 'import.notStix' } });
    expect(mapStix('x')).toEqual({ error: { key: 'import.notStix' } });
    expect(mapStix({ type: 'bundle', id: 'bundle--x', objects: [] })).toEqual({
      error: { key: 'import.noObjects' },
    });
  });

  it('maps every shared sample without throwing', () => {
    for (const name of [
      'indicators-for-C2-with-COA.json',
      'malicious-email-indicator-with-attachment.json',
      'malware-indicator-for-file-hash.json',
      'sighting-of-an-indicator.json',
    ]) {
      const { candidates } = mapped(sample(name));
      expect(candidates).toHaveLength(1);
    }
    expect(values(mapped(sample('sighting-of-an-indicator.json')).candidates[0])).toEqual([
      'url:http://paypa1.banking.com/',
    ]);
  });
});
