import { SetMetadata } from '@nestjs/common';

export const SESSION_ONLY = 'ccc:session-only';
export const ENROLMENT_ALLOWED = 'ccc:enrolment-allowed';

/** Only a person's session may call (me, logout, enrolment, password); an API key gets 403. */
export const SessionOnly = () => SetMetadata(SESSION_ONLY, true);
/** Open to a session that still has to enrol a second factor (every other route is 403). */
export const EnrolmentAllowed = () => SetMetadata(ENROLMENT_ALLOWED, true);

export const BASIC_AUTH_ALLOWED = 'ccc:basic-auth-allowed';

/**
 * Also accepts an API key as the password of HTTP Basic (any user name), as TAXII clients
 * and MISP feeds send it; the scheme name in any case. Everywhere else only `Bearer`.
 */
export const BasicAuthAllowed = () => SetMetadata(BASIC_AUTH_ALLOWED, true);
