import {
  checkAsn,
  normaliseCidr,
  normaliseConstituency,
  normaliseDomain,
} from './constituency-rules.js';
import type { FieldError } from '../common/problem.js';
import { type Msg, render } from '../i18n/i18n.js';

const value = <T>(r: { ok: true; value: T } | { ok: false; message: Msg }) =>
  r.ok ? r.value : `ERR ${render('en', r.message)}`;
const english = (errors: FieldError[]) =>
  errors.map((e) => ({ field: e.field, message: render('en', e.message) }));

describe('normaliseDomain', () => {
  it('lower-cases, strips one trailing dot and converts IDN to punycode', () => {
    expect(value(normaliseDomain('Gov.BY.'))).toBe('gov.by');
    expect(value(normaliseDomain('Пример.РФ'))).toBe('xn--e1afmkfd.xn--p1ai');
    expect(value(normaliseDomain('xn--p1ai'))).toBe('xn--p1ai');
    expect(value(normaliseDomain('ru'))).toBe('ru');
  });

  it.each([
    ['empty', ''],
    ['a space', 'exa mple.by'],
    ['an empty label', 'a..by'],
    ['a leading hyphen', '-a.by'],
    ['a trailing hyphen', 'a-.by'],
    ['an underscore', 'a_b.by'],
    ['a 64-character label', `${'a'.repeat(64)}.by`],
    ['an IPv4 address', '192.0.2.1'],
    ['a URL', 'http://a.by/'],
    ['an over-long name', `${'a'.repeat(60)}.`.repeat(5) + 'by'],
  ])('refuses %s', (_, raw) => {
    expect(normaliseDomain(raw).ok).toBe(false);
  });

  it('refuses wildcards and non-strings with a message saying why', () => {
    expect(value(normaliseDomain('*.gov.by'))).toMatch(/wildcard/);
    expect(value(normaliseDomain(42))).toMatch(/string/);
  });
});

describe('normaliseCidr', () => {
  it('keeps canonical IPv4 and IPv6 networks and compresses IPv6', () => {
    expect(value(normaliseCidr('192.0.2.0/24'))).toBe('192.0.2.0/24');
    expect(value(normaliseCidr('2001:DB8:0:0::/32'))).toBe('2001:db8::/32');
    expect(value(normaliseCidr('2001:db8:abcd:12::/64'))).toBe('2001:db8:abcd:12::/64');
  });

  it('reads a bare address as a host route', () => {
    expect(value(normaliseCidr('198.51.100.7'))).toBe('198.51.100.7/32');
    expect(value(normaliseCidr('2001:db8::1'))).toBe('2001:db8::1/128');
  });

  it('refuses host bits set and names the network meant', () => {
    expect(value(normaliseCidr('10.1.2.3/8'))).toBe(
      'ERR has host bits set (the network is 10.0.0.0/8)',
    );
    expect(value(normaliseCidr('2001:db8::1/32'))).toMatch(/network is 2001:db8::\/32/);
  });

  it('stores an IPv4-mapped IPv6 range as the IPv4 range', () => {
    expect(value(normaliseCidr('::ffff:192.0.2.0/120'))).toBe('192.0.2.0/24');
  });

  it.each([
    'not-a-cidr',
    '192.0.2.0/33',
    '2001:db8::/129',
    '192.0.2.0/',
    '192.0.2.0/-1',
    '192.0.2.0/24/1',
    '010.0.0.0/8',
    '127.1/8',
    '0x7f.0.0.0/8',
    'fe80::%eth0/64',
    '0.0.0.0/0',
    '::/0',
    ' 192.0.2.0/24',
  ])('refuses %j', (raw) => {
    expect(normaliseCidr(raw).ok).toBe(false);
  });
});

describe('checkAsn', () => {
  it('accepts integers from 0 to 2^32-1 only', () => {
    expect(value(checkAsn(0))).toBe(0);
    expect(value(checkAsn(4294967295))).toBe(4294967295);
    for (const bad of [-1, 4294967296, 1.5, '64500', 'AS64500', null, Number.NaN]) {
      expect(checkAsn(bad).ok).toBe(false);
    }
  });
});

describe('normaliseConstituency', () => {
  it('names every bad entry by list and index', () => {
    const { errors } = normaliseConstituency({
      domains: ['ok.by', 'bad domain'],
      cidrs: ['192.0.2.0/24', '10.0.0.0/8', 'nope'],
      asns: [64500, -5],
    });
    expect(english(errors)).toEqual([
      { field: 'domains[1]', message: 'not a valid domain name' },
      { field: 'cidrs[2]', message: 'not a valid CIDR' },
      { field: 'asns[1]', message: 'must be an integer from 0 to 4294967295' },
    ]);
  });

  it('collapses entries that only differ in spelling', () => {
    const { value: v, errors } = normaliseConstituency({
      domains: ['Gov.by', 'gov.by.'],
      cidrs: ['2001:db8::/32', '2001:0db8:0000::/32'],
      asns: [1, 1],
    });
    expect(errors).toEqual([]);
    expect(v).toEqual({ domains: ['gov.by'], cidrs: ['2001:db8::/32'], asns: [1] });
  });

  it('caps the error list', () => {
    const { errors } = normaliseConstituency({
      domains: Array.from({ length: 150 }, () => '!'),
      cidrs: [],
      asns: [],
    });
    expect(errors).toHaveLength(101);
    expect(english(errors)[100]).toEqual({ field: '*', message: 'and 50 more invalid entries' });
  });
});
