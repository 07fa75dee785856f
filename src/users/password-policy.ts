import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type * as ZxcvbnLanguage from '@zxcvbn-ts/language-common';
import { createRequire } from 'node:module';
import { msg, type Msg } from '../i18n/i18n.js';

export const MIN_PASSWORD_LENGTH = 12;
/** Longer passwords are refused before hashing (argon2 cost grows with input). */
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn scores 0..4; 3 is "safely unguessable: moderate protection from offline attack". */
const MIN_SCORE = 3;

/**
 * Loaded and built on first use, not at import: loading the dictionaries adds about 50 MB
 * to a process's RSS, and ranking them costs CPU, which a process that never sets a
 * password (the worker) should not pay.
 */
let zxcvbn: ZxcvbnCore.ZxcvbnFactory | undefined;
function estimator(): ZxcvbnCore.ZxcvbnFactory {
  if (zxcvbn) return zxcvbn;
  const load = createRequire(import.meta.url);
  const { ZxcvbnFactory } = load('@zxcvbn-ts/core') as typeof ZxcvbnCore;
  const common = load('@zxcvbn-ts/language-common') as typeof ZxcvbnLanguage;
  const en = load('@zxcvbn-ts/language-en') as { dictionary: typeof common.dictionary };
  zxcvbn = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
  });
  return zxcvbn;
}

/**
 * Why a new password is refused, or null when it is acceptable: at least 12 characters,
 * not containing the username, and not scored weak by the zxcvbn estimator (which also
 * sees the username and display name, so variations of them score low).
 */
export function passwordProblem(
  password: string,
  user: { username: string; displayName?: string | null },
): Msg | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return msg('password.tooShort', { min: MIN_PASSWORD_LENGTH });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return msg('password.tooLong', { max: MAX_PASSWORD_LENGTH });
  }
  if (password.toLowerCase().includes(user.username.toLowerCase())) {
    return msg('password.username');
  }
  const inputs = [user.username, ...(user.displayName ? [user.displayName] : [])];
  const result = estimator().check(password, inputs);
  if (result.score < MIN_SCORE) {
    // zxcvbn-ts without translations gives the warning's key (`similarToCommon`), which
    // the catalogues word in each language.
    return msg('password.weak', { warning: result.feedback.warning ?? 'none' });
  }
  return null;
}
