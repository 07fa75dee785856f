import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { msg, type Msg } from '../i18n/i18n.js';

export const MIN_PASSWORD_LENGTH = 12;
/** Longer passwords are refused before hashing (argon2 cost grows with input). */
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn scores 0..4; 3 is "safely unguessable: moderate protection from offline attack". */
const MIN_SCORE = 3;

// Built on first use: ranking the dictionaries costs CPU that start-up should not pay.
let zxcvbn: ZxcvbnFactory | undefined;
const estimator = () =>
  (zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
  }));

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
