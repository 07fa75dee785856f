import { ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, Problem } from './problem.js';

/** A calendar date, or a date-time with `Z` or an offset (never local time). */
export const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
export const ISO_MESSAGE = 'must be an ISO 8601 date or a date-time with Z or an offset';

/** Flattens class-validator errors into `{field, message}` with paths like `observables[3].value`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const isIndex = /^\d+$/.test(error.property);
    const field = parent
      ? isIndex
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ field, message: message.replace(/^property /, '') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => Problem.validation(flattenValidationErrors(errors)),
  });
}

/** Path ids are UUIDs; anything else cannot name an existing resource, so it is a 404. */
export const ParseId = new ParseUUIDPipe({ exceptionFactory: () => Problem.notFound() });
