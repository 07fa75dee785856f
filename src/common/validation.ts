import { ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { isMessageKey, type MessageKey, type Msg, msg } from '../i18n/i18n.js';
import { FieldError, Problem } from './problem.js';

/**
 * class-validator constraint names → catalogue keys, and how the decorator's arguments become
 * the message's values. A constraint not listed here says "is invalid" in every language.
 */
export const CONSTRAINTS: Record<string, [MessageKey, (args: unknown[]) => Msg['values']]> = {
  whitelistValidation: ['v.unknownField', () => undefined],
  unknownValue: ['v.unknownValue', () => undefined],
  nestedValidation: ['v.isObject', () => undefined],
  isDefined: ['v.required', () => undefined],
  isString: ['v.isString', () => undefined],
  isInt: ['v.isInt', () => undefined],
  isNumber: ['v.isNumber', () => undefined],
  isBoolean: ['v.isBoolean', () => undefined],
  isArray: ['v.isArray', () => undefined],
  isObject: ['v.isObject', () => undefined],
  isUuid: ['v.isUUID', () => undefined],
  isEmail: ['v.isEmail', () => undefined],
  isUrl: ['v.isUrl', () => undefined],
  isIso8601: ['v.isISO8601', () => undefined],
  isNotEmpty: ['v.isNotEmpty', () => undefined],
  arrayUnique: ['v.arrayUnique', () => undefined],
  matches: ['v.matches', () => undefined],
  isIn: ['v.isIn', (a) => ({ values: list(a[0]) })],
  isEnum: ['v.isIn', (a) => ({ values: list(Object.values(a[0] ?? {})) })],
  min: ['v.min', (a) => ({ min: Number(a[0]) })],
  max: ['v.max', (a) => ({ max: Number(a[0]) })],
  minLength: ['v.minLength', (a) => ({ min: Number(a[0]) })],
  maxLength: ['v.maxLength', (a) => ({ max: Number(a[0]) })],
  isLength: ['v.length', (a) => ({ min: Number(a[0] ?? 0), max: Number(a[1]) })],
  arrayMinSize: ['v.arrayMinSize', (a) => ({ min: Number(a[0]) })],
  arrayMaxSize: ['v.arrayMaxSize', (a) => ({ max: Number(a[0]) })],
};

function list(values: unknown): string {
  return Array.isArray(values) ? values.map(String).join(', ') : '';
}

/** The arguments a property's decorator was given (`@MaxLength(300)` → `[300]`). */
function constraintArgs(target: object | undefined, property: string, name: string): unknown[] {
  if (!target) return [];
  const storage = getMetadataStorage();
  const metadata = storage
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .find(
      (m) =>
        m.propertyName === property &&
        (m.name === name ||
          (m.constraintCls &&
            storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name === name)),
    );
  return (metadata?.constraints as unknown[] | undefined) ?? [];
}

/**
 * A class-validator message as a catalogue message: a custom message that is a catalogue key
 * (`{ message: 'v.notBlank' }`) is used as it is, a built-in constraint by its name and args.
 */
export function constraintMessage(
  name: string,
  text: string,
  target: object | undefined,
  property: string,
): Msg {
  if (isMessageKey(text)) return msg(text);
  const known = CONSTRAINTS[name];
  if (!known) return msg('v.invalid');
  return { key: known[0], values: known[1](constraintArgs(target, property, name)) };
}

/** A calendar date, or a date-time with `Z` or an offset (never local time). */
export const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
/** A catalogue key (src/i18n/messages): the problem is written in the reader's language. */
export const ISO_MESSAGE = 'v.isoForm';

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
    for (const [name, text] of Object.entries(error.constraints ?? {})) {
      out.push({ field, message: constraintMessage(name, text, error.target, error.property) });
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
    // The target names the DTO class, whose decorators give a message its arguments; it is
    // never sent (flattenValidationErrors keeps field and message only).
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => Problem.validation(flattenValidationErrors(errors)),
  });
}

/** Path ids are UUIDs; anything else cannot name an existing resource, so it is a 404. */
export const ParseId = new ParseUUIDPipe({ exceptionFactory: () => Problem.notFound() });
