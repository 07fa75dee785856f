import { render } from '../i18n/i18n.js';
import { normaliseObservable, normaliseObservables } from './observables.js';
import type { ObservableType } from '../vocabulary/vocabulary.js';

const valid: [ObservableType, string, string][] = [
  ['ipv4', '192.0.2.1', '192.0.2.1'],
  ['ipv4', ' 0.0.0.0 ', '0.0.0.0'],
  ['ipv4', '255.255.255.255', '255.255.255.255'],
  ['ipv6', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['ipv6', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['ipv6', '::1', '::1'],
  ['ipv6', '2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
  ['domain', 'Example.COM', 'example.com'],
  ['domain', 'evil.kz.', 'evil.kz'],
  ['domain', 'пример.рф', 'xn--e1afmkfd.xn--p1ai'],
  ['domain', 'xn--e1afmkfd.xn--p1ai', 'xn--e1afmkfd.xn--p1ai'],
  ['domain', '_dmarc.mail.example.org', '_dmarc.mail.example.org'],
  ['url', 'HTTP://Evil.KZ./Login?x=1#top', 'http://evil.kz/Login?x=1#top'],
  ['url', 'https://пример.рф/путь', 'https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C'],
  ['url', 'http://[2001:DB8::0:1]:8080/a', 'http://[2001:db8::1]:8080/a'],
  ['url', 'ftp://192.0.2.7/file.bin', 'ftp://192.0.2.7/file.bin'],
  ['url', 'https://example.com', 'https://example.com/'],
  ['email', 'John.Doe@Mail.Example.BY', 'John.Doe@mail.example.by'],
  ['email', 'user+tag@пример.рф.', 'user+tag@xn--e1afmkfd.xn--p1ai'],
  ['email', '"odd name"@example.com', '"odd name"@example.com'],
  ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['sha1', 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  [
    'sha256',
    'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ],
  ['cve', 'cve-2021-44228', 'CVE-2021-44228'],
  ['cve', 'CVE-2024-123456', 'CVE-2024-123456'],
  ['asn', 'AS64500', '64500'],
  ['asn', 'as64500', '64500'],
  ['asn', '64500', '64500'],
  ['asn', '0', '0'],
  ['asn', 'AS4294967295', '4294967295'],
];

const malformed: [ObservableType, string][] = [
  ['ipv4', '010.1.1.1'],
  ['ipv4', '10.1'],
  ['ipv4', '256.1.1.1'],
  ['ipv4', '1.2.3.4.5'],
  ['ipv4', '0x7f.0.0.1'],
  ['ipv4', '::1'],
  ['ipv4', ''],
  ['ipv6', '2001:db8::g'],
  ['ipv6', '1.2.3.4'],
  ['ipv6', 'fe80::1%eth0'],
  ['ipv6', '2001:db8:::1'],
  ['domain', 'localhost'],
  ['domain', 'a..b.com'],
  ['domain', '-bad.com'],
  ['domain', 'bad-.com'],
  ['domain', `${'a'.repeat(64)}.com`],
  ['domain', `${'abcdefghi.'.repeat(26)}com`],
  ['domain', 'has space.com'],
  ['domain', 'http://example.com'],
  ['domain', '1.2.3.4'],
  ['domain', 'user@example.com'],
  ['url', 'example.com/path'],
  ['url', 'javascript:alert(1)'],
  ['url', 'file:///etc/passwd'],
  ['url', 'mailto:a@example.com'],
  ['url', 'http://bad_label-.com/'],
  ['email', 'no-at-sign.example.com'],
  ['email', '@example.com'],
  ['email', 'user@'],
  ['email', 'us er@example.com'],
  ['email', 'user@localhost'],
  ['email', `${'a'.repeat(65)}@example.com`],
  ['md5', 'd41d8cd98f00b204e9800998ecf8427'],
  ['md5', 'z41d8cd98f00b204e9800998ecf8427e'],
  ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd8070'],
  ['sha256', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['cve', 'CVE-2021-442'],
  ['cve', 'CVE-21-44228'],
  ['cve', 'CAN-2021-44228'],
  ['asn', 'AS4294967296'],
  ['asn', '-1'],
  ['asn', 'AS 64500'],
  ['asn', 'ASN64500'],
  ['asn', '64500.5'],
];

describe('normaliseObservable', () => {
  it.each(valid)('%s %j → %j', (type, input, expected) => {
    expect(normaliseObservable(type, input)).toEqual({ ok: true, value: expected });
  });

  // Imports file values their mapping normalised once, without normalising them again.
  it.each(valid)('%s %j: normalising the result again changes nothing', (type, input) => {
    const once = normaliseObservable(type, input);
    if (!once.ok) throw new Error('expected a valid value');
    expect(normaliseObservable(type, once.value)).toEqual(once);
  });

  it.each(malformed)('rejects %s %j', (type, input) => {
    const result = normaliseObservable(type, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(render('en', result.message)).toMatch(/\w/);
  });
});

describe('normaliseObservables', () => {
  it('collapses values that are equal once normalised, keeping the first', () => {
    const { observables, errors } = normaliseObservables([
      { type: 'domain', value: 'Evil.KZ.' },
      { type: 'ipv4', value: '192.0.2.1' },
      { type: 'domain', value: 'evil.kz' },
      { type: 'asn', value: 'AS64500' },
      { type: 'asn', value: '64500' },
    ]);
    expect(errors).toEqual([]);
    expect(observables).toEqual([
      { type: 'domain', value: 'evil.kz' },
      { type: 'ipv4', value: '192.0.2.1' },
      { type: 'asn', value: '64500' },
    ]);
  });

  it('keeps equal values of different types apart', () => {
    const { observables } = normaliseObservables([
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
      { type: 'domain', value: 'a.example' },
      { type: 'url', value: 'http://a.example/' },
    ]);
    expect(observables).toHaveLength(3);
  });

  it('names every malformed entry by its index', () => {
    const { errors } = normaliseObservables([
      { type: 'ipv4', value: '192.0.2.1' },
      { type: 'ipv4', value: '192.0.2' },
      { type: 'domain', value: 'ok.example' },
      { type: 'sha256', value: 'abc' },
    ]);
    expect(errors.map((e) => e.field)).toEqual(['observables[1].value', 'observables[3].value']);
  });
});
