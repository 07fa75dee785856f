import { readFileSync } from 'node:fs';
import { idsFor, input, view } from '../../test/fixtures/interchange.js';
import { mispEvent } from './misp-event.js';
import { partyIdentity } from './stix-identities.js';

const describeTypes = JSON.parse(
  readFileSync(new URL('../../test/fixtures/misp/describeTypes.json', import.meta.url), 'utf8'),
).result as { category_type_mappings: Record<string, string[]>; types: string[] };

type Attribute = Record<string, any>;

describe('MISP event of an incident', () => {
  it('writes only type/category pairs MISP accepts (PyMISP describeTypes)', () => {
    const { Event } = mispEvent(input(view('TLP:GREEN')));
    const attributes = Event.Attribute as Attribute[];
    expect(attributes).toHaveLength(11); // ten observables and the description
    for (const a of attributes) {
      expect(describeTypes.types).toContain(a.type);
      expect({ type: a.type, category: a.category, valid: true }).toEqual({
        type: a.type,
        category: a.category,
        valid: describeTypes.category_type_mappings[a.category]?.includes(a.type) ?? false,
      });
    }
    expect(attributes.map((a) => [a.type, a.value, a.to_ids])).toEqual([
      ['ip-dst', '198.51.100.7', true],
      ['ip-dst', '2001:db8::1', true],
      ['domain', 'xn--e1afmkfd.xn--80akhbyknj4f', true],
      ['url', "https://xn--e1afmkfd.xn--p1ai/a'b/c?q=1", true],
      ['email-src', "o'brien@bank.example", true],
      ['md5', 'd41d8cd98f00b204e9800998ecf8427e', true],
      ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', true],
      ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', true],
      ['vulnerability', 'CVE-2026-12345', false],
      ['AS', '64500', false],
      ['comment', 'Lookalike domains of three banks.', false],
    ]);
  });

  it('the pair check can fail', () => {
    expect(describeTypes.category_type_mappings['Network activity']).not.toContain('md5');
  });

  it('carries the event fields MISP and feeds rely on', () => {
    const { Event } = mispEvent(input(view('TLP:AMBER+STRICT', { severity: 'critical' })));
    expect(Event).toMatchObject({
      uuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
      info: 'CCC-2026-000042 – Phishing wave against banks',
      date: '2026-03-01',
      timestamp: String(Date.UTC(2026, 2, 2, 11, 0, 0) / 1000),
      published: true,
      analysis: '0',
      threat_level_id: '1',
      Orgc: {
        name: 'Belarus (BY) national CERT',
        uuid: partyIdentity('BY').id.replace('identity--', ''),
      },
      Tag: [
        { name: 'tlp:amber+strict', colour: '#FFC000', local: false, relationship_type: '' },
        { name: 'rsit:fraud="phishing"', colour: '#0088cc', local: false, relationship_type: '' },
      ],
    });
    expect(Event.publish_timestamp).toBe(Event.timestamp);
    expect(Event).not.toHaveProperty('distribution');
  });

  it.each([
    ['new', '0'],
    ['in_progress', '1'],
    ['resolved', '2'],
    ['closed', '2'],
    ['rejected', '2'],
  ])('status %s is analysis %s', (status, analysis) => {
    expect(mispEvent(input(view('TLP:GREEN', { status }))).Event.analysis).toBe(analysis);
  });

  it.each([
    ['high', '1'],
    ['medium', '2'],
    ['low', '3'],
  ])('severity %s is threat level %s', (severity, level) => {
    expect(mispEvent(input(view('TLP:GREEN', { severity }))).Event.threat_level_id).toBe(level);
  });

  it('keeps attribute UUIDs across exports and changes of the incident', () => {
    const before = mispEvent(input(view('TLP:GREEN'))).Event.Attribute as Attribute[];
    const after = mispEvent({
      ...input(view('TLP:GREEN', { status: 'closed' })),
      version: '2026-04-01T00:00:00.000000Z',
    }).Event.Attribute as Attribute[];
    expect(after.map((a) => a.uuid)).toEqual(before.map((a) => a.uuid));
    expect(new Set(before.map((a) => a.uuid)).size).toBe(before.length);
  });

  it('does not publish an incident without observables', () => {
    const bare = view('TLP:GREEN', { observables: [], description: null });
    const { Event } = mispEvent({ ...input(bare), observables: idsFor(bare) });
    expect(Event.published).toBe(false);
    expect(Event.Attribute).toEqual([]);
  });
});
