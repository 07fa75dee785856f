import { render } from '../i18n/i18n.js';
import { passwordProblem } from './password-policy.js';

const user = { username: 'ivanov', displayName: 'Ivan Ivanov' };
const problem = (password: string, locale: 'en' | 'ru' = 'en') => {
  const found = passwordProblem(password, user);
  return found && render(locale, found);
};

describe('password policy', () => {
  it('refuses passwords shorter than 12 characters', () => {
    expect(problem('xK9#mQ2$vL7')).toMatch(/at least 12/);
    expect(problem('xK9#mQ2$vL7', 'ru')).toMatch(/не менее 12 символов/);
  });

  it('refuses passwords containing the username, in any case', () => {
    expect(problem('zebra-IVANOV-quartz-1987')).toMatch(/username/);
  });

  it('refuses common and keyboard passwords, however long, saying why in each language', () => {
    expect(problem('password1234')).toBe(
      'is too easy to guess (this is similar to a commonly used password); use a longer passphrase of unrelated words',
    );
    expect(problem('password1234', 'ru')).toMatch(/^слишком легко угадать \(он похож/);
    expect(problem('qwertyuiop123')).toMatch(/too easy/);
    expect(problem('aaaaaaaaaaaaaaaa')).toMatch(/too easy to guess \(repeated characters/);
  });

  it('accepts a long passphrase of unrelated words', () => {
    expect(passwordProblem('copper-lantern-misty-orbit-42', user)).toBeNull();
  });

  it('refuses absurdly long input before hashing it', () => {
    expect(problem('x'.repeat(257))).toMatch(/at most/);
  });
});
