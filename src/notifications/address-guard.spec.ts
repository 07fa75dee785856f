import { blockedRange, BlockedAddressError, resolveTarget } from './address-guard.js';

describe('blockedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['2001:db8::1', 'reserved'],
    ['not-an-ip', 'invalid'],
  ])('refuses %s (%s)', (address, range) => {
    expect(blockedRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows public %s',
    (address) => {
      expect(blockedRange(address)).toBeNull();
    },
  );
});

describe('resolveTarget', () => {
  it('refuses schemes other than http and https', async () => {
    await expect(resolveTarget(new URL('ftp://example.org/x'), true)).rejects.toThrow(
      BlockedAddressError,
    );
  });

  it('refuses bracketed IPv6 literals, including v4-mapped loopback', async () => {
    await expect(resolveTarget(new URL('http://[::ffff:127.0.0.1]:8080/'), false)).rejects.toThrow(
      /SSRF guard.*loopback/,
    );
    await expect(resolveTarget(new URL('http://[::1]/'), false)).rejects.toThrow(/loopback/);
  });

  it('refuses a name that resolves to loopback', async () => {
    await expect(resolveTarget(new URL('http://localhost:9/'), false)).rejects.toThrow(
      /SSRF guard: localhost resolves to/,
    );
  });

  it('returns the checked address when private targets are allowed', async () => {
    await expect(resolveTarget(new URL('http://127.0.0.1:9/'), true)).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
  });
});
