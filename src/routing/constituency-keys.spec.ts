import { constituencyKeys } from './constituency-keys.js';

const keys = (type: string, value: string) => constituencyKeys([{ type, value }]);

describe('constituencyKeys', () => {
  it('yields every suffix of a domain', () => {
    expect(keys('domain', 'mail.gov.by').domains).toEqual(['mail.gov.by', 'gov.by', 'by']);
  });

  it('takes the domain of an e-mail address after the last @', () => {
    expect(keys('email', '"a@b"@Mail.Example.KZ').domains).toEqual([
      'mail.example.kz',
      'example.kz',
      'kz',
    ]);
  });

  it('takes the host of a URL, without port, path or trailing dot', () => {
    expect(keys('url', 'https://user:pw@x.EXAMPLE.ru.:8443/p?q=1').domains).toEqual([
      'x.example.ru',
      'example.ru',
      'ru',
    ]);
  });

  it('turns IDN hosts into punycode', () => {
    expect(keys('domain', 'пример.рф').domains).toEqual(['xn--e1afmkfd.xn--p1ai', 'xn--p1ai']);
    expect(keys('url', 'http://пример.рф/').domains).toContain('xn--p1ai');
  });

  it('treats IP hosts of URLs and e-mail literals as addresses, IPv6 without brackets', () => {
    expect(keys('url', 'http://192.0.2.7:8080/x')).toEqual({
      domains: [],
      ips: ['192.0.2.7'],
      asns: [],
    });
    expect(keys('url', 'http://[2001:DB8::1]/x').ips).toEqual(['2001:db8::1']);
    expect(keys('email', 'a@[IPv6:2001:db8::2]').ips).toEqual(['2001:db8::2']);
    expect(keys('email', 'a@[192.0.2.9]').ips).toEqual(['192.0.2.9']);
  });

  it('matches an IPv4-mapped IPv6 address as its IPv4 host too', () => {
    expect(keys('ipv6', '::ffff:192.0.2.1').ips.sort()).toEqual(['192.0.2.1', '::ffff:c000:201']);
  });

  it('passes canonical addresses through and drops what would not cast to inet', () => {
    expect(keys('ipv4', '198.51.100.3').ips).toEqual(['198.51.100.3']);
    expect(keys('ipv6', '2001:db8::5').ips).toEqual(['2001:db8::5']);
    expect(keys('ipv4', '010.1.1.1').ips).toEqual([]);
    expect(keys('ipv4', 'not-an-ip').ips).toEqual([]);
    expect(keys('ipv6', 'fe80::1%eth0').ips).toEqual([]);
  });

  it('reads an ASN as its number with or without the AS prefix, within 32 bits', () => {
    expect(keys('asn', '64500').asns).toEqual(['64500']);
    expect(keys('asn', 'AS64501').asns).toEqual(['64501']);
    expect(keys('asn', '4294967295').asns).toEqual(['4294967295']);
    expect(keys('asn', '4294967296').asns).toEqual([]);
    expect(keys('asn', 'AS-1').asns).toEqual([]);
  });

  it('ignores hashes and CVE ids, and de-duplicates', () => {
    const k = constituencyKeys([
      { type: 'sha256', value: 'ab'.repeat(32) },
      { type: 'cve', value: 'CVE-2024-0001' },
      { type: 'domain', value: 'a.kz' },
      { type: 'email', value: 'x@a.kz' },
      { type: 'url', value: 'not a url' },
    ]);
    expect(k).toEqual({ domains: ['a.kz', 'kz'], ips: [], asns: [] });
  });

  it('drops malformed host names instead of producing empty labels', () => {
    expect(keys('domain', 'a..b').domains).toEqual([]);
    expect(keys('email', 'nobody@').domains).toEqual([]);
  });
});
