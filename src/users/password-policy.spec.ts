import { passwordProblem } from './password-policy.js';

const user = { username: 'ivanov', displayName: 'Ivan Ivanov' };

describe('password policy', () => {
  it('refuses passwords shorter than 12 characters', () => {
    expect(passwordProblem('xK9#mQ2$vL7', user)).toMatch(/at least 12/);
  });

  it('refuses passwords containing the username, in any case', () => {
    expect(passwordProblem('zebra-IVANOV-quartz-1987', user)).toMatch(/username/);
  });

  it('refuses common and keyboard passwords, however long', () => {
    expect(passwordProblem('password1234', user)).toMatch(/too easy/);
    expect(passwordProblem('qwertyuiop123', user)).toMatch(/too easy/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa', user)).toMatch(/too easy/);
  });

  it('accepts a long passphrase of unrelated words', () => {
    expect(passwordProblem('copper-lantern-misty-orbit-42', user)).toBeNull();
  });

  it('refuses absurdly long input before hashing it', () => {
    expect(passwordProblem('x'.repeat(257), user)).toMatch(/at most/);
  });
});
