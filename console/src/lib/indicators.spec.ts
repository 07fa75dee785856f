import { defang, extractIndicators, refang } from './indicators.js';

describe('indicators', () => {
  it('refangs the usual defanging', () => {
    expect(refang('hxxp://evil[.]example/a')).toBe('http://evil.example/a');
    expect(refang('hxxps[:]//x(.)ru')).toBe('https://x.ru');
    expect(refang('user[at]mail[dot]kz')).toBe('user@mail.kz');
  });

  it('extracts each indicator once, refanged, in order, without the hosts inside URLs', () => {
    const text = `Seen hxxp://evil[.]example/login.php, then 198.51.100[.]7 and 198.51.100.7.
      Mail from admin[@]bank-secure[.]kz; hash D41D8CD98F00B204E9800998ECF8427E.
      Exploits cve-2024-3400 via AS64500 and cdn.evil.ru; v6 2001:db8::1`;
    expect(extractIndicators(text)).toEqual([
      { type: 'url', value: 'http://evil.example/login.php' },
      { type: 'ipv4', value: '198.51.100.7' },
      { type: 'email', value: 'admin@bank-secure.kz' },
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
      { type: 'cve', value: 'CVE-2024-3400' },
      { type: 'asn', value: 'AS64500' },
      { type: 'domain', value: 'cdn.evil.ru' },
      { type: 'ipv6', value: '2001:db8::1' },
    ]);
  });

  it('tells hashes apart by length', () => {
    const sha1 = 'a'.repeat(40);
    const sha256 = 'B'.repeat(64);
    expect(extractIndicators(`${sha1} ${sha256}`)).toEqual([
      { type: 'sha1', value: sha1 },
      { type: 'sha256', value: 'b'.repeat(64) },
    ]);
  });

  it('defangs for display', () => {
    expect(defang('http://evil.example/a.php')).toBe('hxxp://evil[.]example/a[.]php');
    expect(defang('x@mail.ru')).toBe('x[@]mail[.]ru');
    expect(refang(defang('https://evil.example/x'))).toBe('https://evil.example/x');
  });
});
