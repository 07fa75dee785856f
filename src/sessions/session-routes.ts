import { SetMetadata } from '@nestjs/common';

export const SESSION_ONLY = 'ccc:session-only';
export const ENROLMENT_ALLOWED = 'ccc:enrolment-allowed';

/** Only a person's session may call (me, logout, enrolment, password); an API key gets 403. */
export const SessionOnly = () => SetMetadata(SESSION_ONLY, true);
/** Open to a session that still has to enrol a second factor (every other route is 403). */
export const EnrolmentAllowed = () => SetMetadata(ENROLMENT_ALLOWED, true);

export const SIGN_IN_OPTIONS = 'ccc:sign-in-options';

/**
 * Its 401 tells a client how people may sign in here: `singleSignOn` (true when
 * CCC_OIDC_ISSUER is set), so the console shows its single sign-on button only then.
 */
export const AnnouncesSignInOptions = () => SetMetadata(SIGN_IN_OPTIONS, true);

export const BASIC_AUTH_ALLOWED = 'ccc:basic-auth-allowed';

/**
 * Also accepts an API key as the password of HTTP Basic (any user name), as TAXII clients
 * and MISP feeds send it; the scheme name in any case. Everywhere else only `Bearer`.
 */
export const BasicAuthAllowed = () => SetMetadata(BASIC_AUTH_ALLOWED, true);
