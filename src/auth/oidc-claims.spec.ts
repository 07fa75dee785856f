import { roleFromClaim, usernameFromClaims } from './oidc-claims.js';

describe('OIDC roles claim mapping', () => {
  it('maps admin, coordinator and analyst:<state>', () => {
    expect(roleFromClaim(['admin'])).toEqual({ role: 'admin', state: null });
    expect(roleFromClaim(['coordinator'])).toEqual({ role: 'coordinator', state: null });
    expect(roleFromClaim(['analyst:by'])).toEqual({ role: 'analyst', state: 'BY' });
    expect(roleFromClaim('analyst:KZ')).toEqual({ role: 'analyst', state: 'KZ' });
  });

  it('takes the highest role of several', () => {
    expect(roleFromClaim(['analyst:BY', 'coordinator'])).toEqual({
      role: 'coordinator',
      state: null,
    });
    expect(roleFromClaim('coordinator admin')).toEqual({ role: 'admin', state: null });
  });

  it('grants nothing for unknown roles, unknown states, ambiguity or a missing claim', () => {
    expect(roleFromClaim(undefined)).toBeNull();
    expect(roleFromClaim([])).toBeNull();
    expect(roleFromClaim(['viewer', 'Admin'])).toBeNull();
    expect(roleFromClaim(['analyst:US'])).toBeNull();
    expect(roleFromClaim(['analyst:BY', 'analyst:KZ'])).toBeNull();
    expect(roleFromClaim({ admin: true })).toBeNull();
    expect(roleFromClaim([42, null])).toBeNull();
  });

  it('takes preferred_username when valid, else a name derived from sub', () => {
    expect(usernameFromClaims({ sub: 'x', preferred_username: 'I.Petrov' })).toBe('i.petrov');
    expect(usernameFromClaims({ sub: 'abc', preferred_username: 'bad name!' })).toMatch(
      /^sso-[0-9a-f]{12}$/,
    );
    expect(usernameFromClaims({ sub: 'abc' })).toBe(usernameFromClaims({ sub: 'abc' }));
  });
});
