import { readFileSync } from 'node:fs';
import type { Mapped } from './import-candidate.js';
import { categoryOfTags, mapMisp } from './misp-import.js';

const sample = (name: string): unknown =>
  JSON.parse(readFileSync(`test/fixtures/interchange/misp/${name}`, 'utf8'));

function mapped(body: unknown): Mapped {
  const result = mapMisp(body);
  if ('error' in result) throw new Error(`refused: ${result.error.key}`);
  return result;
}

function event(attributes: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return {
    Event: {
      uuid: '5a0a9aa9-23a4-4607-b6df-41a9950d2100',
      info: 'Test event',
      date: '2026-03-04',
      timestamp: '1772600000',
      threat_level_id: '1',
      Tag: [{ name: 'tlp:amber' }, { name: 'rsit:fraud="phishing"' }],
      Attribute: attributes,
      ...extra,
    },
  };
}

describe('mapMisp', () => {
  it('maps the Xorist event: hashes, tlp:white as CLEAR, unmapped types with reasons', () => {
    const { candidates, skipped } = mapped(sample('57c4445b-c548-4654-af0b-4be3950d210f.json'));
    expect(candidates).toHaveLength(1);
    const [c] = candidates;
    expect(c).toMatchObject({
      ref: '57c4445b-c548-4654-af0b-4be3950d210f',
      title: 'Ransomware - Xorist',
      tlp: 'TLP:CLEAR',
      severity: 'low',
      category: null,
      occurredAt: '2016-08-29T00:00:00.000Z',
      version: '2016-08-30T07:10:11.000000000Z',
    });
    expect(c.observables.map((o) => o.type).sort()).toEqual(['md5', 'sha1', 'sha256']);
    expect(skipped.map((s) => s.message)).toEqual(
      expect.arrayContaining([
        { key: 'import.skip.mispType', values: { type: 'link' } },
        { key: 'import.skip.mispType', values: { type: 'regkey|value' } },
      ]),
    );
  });

  it('takes file-object hashes but not the hashes of PE sections (mainly_objects_2)', () => {
    const { candidates, skipped } = mapped(sample('mainly_objects_2.json'));
    const hashes = candidates[0].observables.filter((o) => o.type === 'md5');
    // Four file objects, two distinct files; none of the eight section hashes.
    expect(hashes.map((o) => o.value).sort()).toEqual([
      '222d7fde37ae344824a97087d473cdcd',
      'fe3ae84a8defc809e734bbd0736f82de',
    ]);
    expect(skipped.filter((s) => s.message.key === 'import.skip.peSection')).toHaveLength(8);
  });

  it('maps object attributes (domain-ip) and every other sample', () => {
    const existing = mapped(sample('existing_event.json')).candidates[0];
    expect(existing.observables.filter((o) => o.type === 'ipv4')).not.toHaveLength(0);
    expect(existing.observables.filter((o) => o.type === 'sha1')).not.toHaveLength(0);
    const long = mapped(sample('long_event.json')).candidates[0];
    expect(long.observables.length).toBeGreaterThan(200);
    expect(long.observables.map((o) => o.type)).toEqual(
      expect.arrayContaining(['cve', 'url', 'email']),
    );
    expect(mapped(sample('to_delete1.json')).candidates[0].tlp).toBe('TLP:CLEAR');
  });

  it('skips deleted attributes, splits composite values, reads tags and threat level', () => {
    const { candidates, skipped } = mapped(
      event([
        { uuid: 'a1', type: 'ip-dst', value: '198.51.100.7' },
        { uuid: 'a2', type: 'domain', value: 'gone.example', deleted: true },
        { uuid: 'a3', type: 'domain|ip', value: 'Mail.Example.|2001:db8::2' },
        { uuid: 'a4', type: 'filename|sha256', value: `x.exe|${'F'.repeat(64)}` },
        { uuid: 'a5', type: 'AS', value: 'AS64500' },
        { uuid: 'a6', type: 'url', value: 'https://x.example/', Tag: [{ name: 'tlp:red' }] },
        { uuid: 'a7', type: 'ip-src|port', value: '203.0.113.9|443' },
      ]),
    );
    const [c] = candidates;
    expect(c.observables).toEqual([
      { type: 'ipv4', value: '198.51.100.7' },
      { type: 'domain', value: 'mail.example' },
      { type: 'ipv6', value: '2001:db8::2' },
      { type: 'sha256', value: 'f'.repeat(64) },
      { type: 'asn', value: '64500' },
      { type: 'url', value: 'https://x.example/' },
      { type: 'ipv4', value: '203.0.113.9' },
    ]);
    // Attribute-level tlp:red beats the event's tlp:amber.
    expect(c).toMatchObject({ tlp: 'TLP:RED', category: 'fraud/phishing', severity: 'high' });
    expect(skipped).toEqual([{ ref: 'a2', message: { key: 'import.skip.deleted' } }]);
  });

  it('has no TLP without a tlp tag, and reads tlp:ex:chr as none', () => {
    const [c] = mapped(event([], { Tag: [{ name: 'tlp:ex:chr' }] })).candidates;
    expect(c.tlp).toBeNull();
  });

  it('accepts a bare event and a search answer; refuses other JSON', () => {
    const bare = event([]).Event;
    expect(mapped(bare).candidates).toHaveLength(1);
    expect(
      mapped({ response: [{ Event: bare }, { Event: { ...bare, uuid: 'b' } }] }).candidates,
    ).toHaveLength(2);
    expect(mapMisp({ type: 'bundle' })).toEqual({ error: { key: 'import.notMisp' } });
    expect(mapMisp([])).toEqual({ error: { key: 'import.notMisp' } });
  });

  it('maps rsit tags, else ecsirt tags through the table', () => {
    expect(categoryOfTags(['rsit:malicious-code="c2-server"'])).toBe('malicious-code/c2-server');
    expect(categoryOfTags(['ecsirt:malicious-code="ransomware"'])).toBe(
      'malicious-code/infected-system',
    );
    expect(categoryOfTags(['ecsirt:fraud="phishing"'])).toBe('fraud/phishing');
    expect(categoryOfTags(['rsit:nope="x"', 'circl:incident-classification="malware"'])).toBeNull();
  });
});
