import { HttpException, HttpStatus } from '@nestjs/common';
import { type Msg, msg } from '../i18n/i18n.js';

/**
 * One invalid field. `message` is a catalogue message (`msg('v.cursor')`), rendered in the
 * reader's language by ProblemFilter: a problem never carries text of one language.
 */
export interface FieldError {
  field: string;
  message: Msg;
}

/** What a 404 names; each has its own sentence in the catalogues. */
export type NotFoundSubject =
  | 'incident'
  | 'report'
  | 'delivery'
  | 'memberState'
  | 'apiKey'
  | 'user'
  | 'attachment'
  | 'singleSignOn'
  | 'route'
  | 'resource'
  | 'import';

/**
 * An RFC 9457 problem; `type` is a stable slug under /problems. `title` comes from the status,
 * `detail` and every `errors[].message` from the catalogues, in the language of the request.
 */
export class Problem extends HttpException {
  constructor(
    status: number,
    readonly slug: string,
    readonly detailMessage: Msg,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    // The key, never a sentence: what Nest or a log sees of it is language-neutral.
    super(detailMessage.key, status);
  }

  /** `detail` lists the fields with their messages (rendered per language by the filter). */
  static validation(errors: FieldError[]): Problem {
    return new Problem(HttpStatus.BAD_REQUEST, 'validation', msg('problem.validation'), errors);
  }
  static notFound(what: NotFoundSubject = 'resource'): Problem {
    return new Problem(HttpStatus.NOT_FOUND, 'not-found', msg('problem.notFound', { what }));
  }
  static conflict(detail: Msg, extra: Record<string, unknown> = {}): Problem {
    return new Problem(HttpStatus.CONFLICT, 'conflict', detail, undefined, {}, extra);
  }
  static forbidden(detail: Msg = msg('problem.forbidden')): Problem {
    return new Problem(HttpStatus.FORBIDDEN, 'forbidden', detail);
  }
  static unauthorized(
    detail: Msg = msg('problem.unauthorized'),
    extra: Record<string, unknown> = {},
  ): Problem {
    return new Problem(
      HttpStatus.UNAUTHORIZED,
      'unauthorized',
      detail,
      undefined,
      { 'WWW-Authenticate': 'Bearer' },
      extra,
    );
  }
}
