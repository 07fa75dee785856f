import { ConstituencyIndex } from './constituency-index.js';
import { constituencyKeys } from './constituency-keys.js';

const index = new ConstituencyIndex({
  domains: [
    ['BY', 'by'],
    ['BY', 'belarus-cert.example'],
    ['KZ', 'shared-host.example'],
    ['KG', 'shared-host.example'],
  ],
  cidrs: [
    ['BY', '192.0.2.0/24'],
    ['KZ', '198.51.100.0/25'],
    ['RU', '198.51.100.0/24'],
    ['KZ', '2001:db8:100::/48'],
    ['TJ', '203.0.113.7/32'],
    ['AM', '::ffff:0:0/96'],
  ],
  asns: [
    ['BY', '64500'],
    ['KZ', '4294967295'],
  ],
});

const match = (type: string, value: string) =>
  [...index.match(constituencyKeys([{ type, value }]))].sort();

describe('ConstituencyIndex (the SQL match, in memory)', () => {
  it('matches domains by suffix on label boundaries, every owner of a shared one', () => {
    expect(match('domain', 'a.b.gov.by')).toEqual(['BY']);
    expect(match('domain', 'notby')).toEqual([]);
    expect(match('email', 'soc@mail.shared-host.example')).toEqual(['KG', 'KZ']);
    expect(match('url', 'https://www.belarus-cert.example/x')).toEqual(['BY']);
  });

  it('matches addresses by prefix containment, nested and host ranges included', () => {
    expect(match('ipv4', '198.51.100.10')).toEqual(['KZ', 'RU']);
    expect(match('ipv4', '198.51.100.200')).toEqual(['RU']);
    expect(match('ipv4', '198.51.101.1')).toEqual([]);
    expect(match('ipv4', '203.0.113.7')).toEqual(['TJ']);
    expect(match('ipv4', '203.0.113.8')).toEqual([]);
    expect(match('ipv6', '2001:db8:100:ffff::1')).toEqual(['KZ']);
    expect(match('ipv6', '2001:db8:101::1')).toEqual([]);
  });

  it('keeps families apart, as inet does: a mapped address also matches as IPv4', () => {
    // ::ffff:192.0.2.9 is in the IPv6 range ::ffff:0:0/96 and, as 192.0.2.9, in BY's.
    expect(match('ipv6', '::ffff:192.0.2.9')).toEqual(['AM', 'BY']);
    expect(match('ipv4', '192.0.2.9')).toEqual(['BY']);
  });

  it('matches ASNs however they are written', () => {
    expect(match('asn', 'AS64500')).toEqual(['BY']);
    expect(match('asn', '4294967295')).toEqual(['KZ']);
    expect(match('asn', '64501')).toEqual([]);
  });

  it('matches a default route and nothing when empty', () => {
    const all = new ConstituencyIndex({ domains: [], cidrs: [['RU', '0.0.0.0/0']], asns: [] });
    expect([...all.match(constituencyKeys([{ type: 'ipv4', value: '8.8.8.8' }]))]).toEqual(['RU']);
    const none = new ConstituencyIndex({ domains: [], cidrs: [], asns: [] });
    expect(none.match(constituencyKeys([{ type: 'domain', value: 'x.by' }])).size).toBe(0);
  });
});
