import { type Msg, msg } from '../i18n/i18n.js';

/** Nesting deeper than this is refused on every JSON route (CONTRACT.md, HTTP conventions). */
export const MAX_JSON_DEPTH = 64;

export interface JsonScan {
  /** Arrays and objects were nested more than the allowed depth. */
  tooDeep: boolean;
  /**
   * A string (value or key) holds the escape `\u0000` or a surrogate escape (`\uD800` to
   * `\uDFFF`): the only ways JSON text that is valid UTF-8 can carry a NUL or an unpaired
   * surrogate. The parsed value then needs `textFieldErrors`; otherwise it cannot fail it.
   */
  suspectText: boolean;
  /** Arrays, objects and commas outside strings: how many values the parse will make, roughly. */
  structures: number;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const LOWER_U = 0x75;
const SUSPECT_ESCAPE = /^(?:0000|[dD][89a-fA-F])/;

/**
 * One pass over the raw JSON text, before it is parsed: nesting depth outside strings, and
 * whether any string escapes a NUL or a surrogate. It does not validate the text (JSON.parse
 * does that next); on malformed input its answer may be wrong but is never unsafe, as the
 * parse then fails. Stops at the first level too deep, so a 1 MiB `[[[[…` costs 65 characters.
 */
export function scanJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonScan {
  let depth = 0;
  let structures = 0;
  let suspectText = false;
  let inString = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) {
        if (text.charCodeAt(i + 1) === LOWER_U && SUSPECT_ESCAPE.test(text.slice(i + 2, i + 6))) {
          suspectText = true;
        }
        i++; // the escaped character (a quote or backslash must not end or start anything)
      } else if (c === QUOTE) {
        inString = false;
      }
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      structures++;
      if (++depth > maxDepth) return { tooDeep: true, suspectText, structures };
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === COMMA) {
      structures++;
    }
  }
  return { tooDeep: false, suspectText, structures };
}

export interface TextFieldError {
  field: string;
  message: Msg;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored as text, or null. */
function textProblem(s: string): Msg | null {
  if (s.includes('\0')) return msg('input.nul');
  if (LONE_SURROGATE.test(s)) return msg('input.surrogate');
  return null;
}

/**
 * Every string in a parsed value (keys included) that is not storable text, by field path
 * like `observables[2].value`: a NUL (PostgreSQL refuses it in text) or an unpaired
 * surrogate (not Unicode; refused in JSON columns). Refused as invalid input, never stripped.
 */
export function textFieldErrors(value: unknown, path = ''): TextFieldError[] {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? [{ field: path || '(body)', message }] : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const out: TextFieldError[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, index) => out.push(...textFieldErrors(item, `${path}[${index}]`)));
    return out;
  }
  for (const [key, item] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    const message = textProblem(key);
    if (message) out.push({ field, message });
    else out.push(...textFieldErrors(item, field));
  }
  return out;
}
