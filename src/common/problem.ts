import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  416: 'Range Not Satisfiable',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

/** An RFC 9457 problem; `type` is a stable slug under /problems. */
export class Problem extends HttpException {
  constructor(
    status: number,
    readonly slug: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }

  static validation(errors: FieldError[]): Problem {
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return new Problem(HttpStatus.BAD_REQUEST, 'validation', detail, errors);
  }
  static notFound(what = 'resource'): Problem {
    return new Problem(HttpStatus.NOT_FOUND, 'not-found', `No such ${what}`);
  }
  static conflict(detail: string, extra: Record<string, unknown> = {}): Problem {
    return new Problem(HttpStatus.CONFLICT, 'conflict', detail, undefined, {}, extra);
  }
  static forbidden(detail = 'Your role may not do this'): Problem {
    return new Problem(HttpStatus.FORBIDDEN, 'forbidden', detail);
  }
  static unauthorized(detail = 'Missing or invalid API key'): Problem {
    return new Problem(HttpStatus.UNAUTHORIZED, 'unauthorized', detail, undefined, {
      'WWW-Authenticate': 'Bearer',
    });
  }
}
