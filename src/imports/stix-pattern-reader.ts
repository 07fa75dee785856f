import { msg, type Msg } from '../i18n/i18n.js';
import type { ObservableType } from '../vocabulary/vocabulary.js';

/**
 * Reads the observables out of a STIX 2.1 pattern, as far as they are simple equality
 * comparisons `object:path = 'value'` on the object paths the service has types for, joined
 * by AND or OR, in one or several observation expressions (INTEROP 1.2: the "one comparison
 * expression" shortcut OpenCTI takes too). Everything else is named, never silently dropped:
 * other operators (MATCHES, LIKE, IN, !=, …) and paths are `ignored`; qualifiers and
 * temporal operators (WITHIN, REPEATS, START/STOP, FOLLOWEDBY) and NOT make the whole
 * pattern unsupported, as they change what the comparisons mean. Pure.
 */

export interface RawObservable {
  type: ObservableType;
  value: string;
}

export type PatternReading =
  { ok: true; observables: RawObservable[]; ignored: string[] } | { ok: false; reason: Msg };

type Token =
  | { kind: 'punct'; text: '[' | ']' | '(' | ')' }
  | { kind: 'op'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'path'; text: string };

const UNSUPPORTED_KEYWORDS = new Set(['FOLLOWEDBY', 'WITHIN', 'REPEATS', 'START', 'STOP', 'NOT']);
const WORD_OPERATORS = new Set(['LIKE', 'MATCHES', 'IN', 'ISSUBSET', 'ISSUPERSET']);

/** Splits a pattern into tokens; null when it is not readable. */
function tokenise(pattern: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  const quoted = (start: number): [string, number] | null => {
    // A patterning string: '…' with \' and \\ escapes.
    let out = '';
    let j = start + 1;
    while (j < pattern.length) {
      const c = pattern[j];
      if (c === '\\') {
        if (j + 1 >= pattern.length) return null;
        out += pattern[j + 1];
        j += 2;
      } else if (c === "'") {
        return [out, j + 1];
      } else {
        out += c;
        j += 1;
      }
    }
    return null;
  };
  while (i < pattern.length) {
    const c = pattern[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '[' || c === ']' || c === '(' || c === ')') {
      tokens.push({ kind: 'punct', text: c });
      i += 1;
    } else if (c === "'") {
      const q = quoted(i);
      if (!q) return null;
      tokens.push({ kind: 'string', text: q[0] });
      i = q[1];
    } else if ('=!<>'.includes(c)) {
      const two = pattern.slice(i, i + 2);
      const op = ['!=', '<>', '<=', '>='].includes(two) ? two : c;
      if (op === '!') return null;
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else if (/[A-Za-z0-9_-]/.test(c)) {
      // t'…', h'…', b'…' literals
      if (/[thb]/.test(c) && pattern[i + 1] === "'") {
        const q = quoted(i + 1);
        if (!q) return null;
        tokens.push({ kind: 'literal', text: `${c}'${q[0]}'` });
        i = q[1];
        continue;
      }
      let j = i;
      let text = '';
      let isPath = false;
      while (j < pattern.length) {
        const d = pattern[j];
        if (/[A-Za-z0-9_.+-]/.test(d)) {
          text += d;
          j += 1;
        } else if (d === ':' && !isPath) {
          isPath = true;
          text += d;
          j += 1;
        } else if (d === "'" && isPath) {
          const q = quoted(j);
          if (!q) return null;
          text += `'${q[0]}'`;
          j = q[1];
        } else if (d === '[' && isPath) {
          const close = pattern.indexOf(']', j);
          if (close < 0) return null;
          text += pattern.slice(j, close + 1);
          j = close + 1;
        } else {
          break;
        }
      }
      tokens.push({ kind: isPath ? 'path' : 'word', text });
      i = j;
    } else {
      return null;
    }
  }
  return tokens;
}

/** The observable type a comparison path holds, or null. Hash names in any spelling. */
export function observableTypeOfPath(path: string): ObservableType | 'ip' | null {
  const [object, property] = [path.slice(0, path.indexOf(':')), path.slice(path.indexOf(':') + 1)];
  const prop = property.replace(/'/g, '');
  switch (object) {
    case 'ipv4-addr':
      return prop === 'value' ? 'ipv4' : null;
    case 'ipv6-addr':
      return prop === 'value' ? 'ipv6' : null;
    case 'domain-name':
      return prop === 'value' ? 'domain' : null;
    case 'url':
      return prop === 'value' ? 'url' : null;
    case 'email-addr':
      return prop === 'value' ? 'email' : null;
    case 'email-message':
      return /^(from_ref|sender_ref|to_refs\[[*\d]+\]|cc_refs\[[*\d]+\])\.value$/.test(prop)
        ? 'email'
        : null;
    case 'autonomous-system':
      return prop === 'number' ? 'asn' : null;
    case 'network-traffic':
      return /^(src_ref|dst_ref)\.value$/.test(prop) ? 'ip' : null;
    case 'file':
    case 'artifact': {
      const m = /^hashes\.(.+)$/.exec(prop);
      return m ? hashType(m[1]) : null;
    }
    default:
      return null;
  }
}

/** `MD5`, `SHA-1`, `SHA1`, `sha256`, `SHA-256` → the observable type; other hashes → null. */
export function hashType(name: string): 'md5' | 'sha1' | 'sha256' | null {
  const n = name.toLowerCase().replace(/-/g, '');
  return n === 'md5' || n === 'sha1' || n === 'sha256' ? n : null;
}

/** An IP text as ipv4 or ipv6, by its form (the value is checked later). */
export function ipType(value: string): 'ipv4' | 'ipv6' {
  return value.includes(':') ? 'ipv6' : 'ipv4';
}

export function readPattern(pattern: string): PatternReading {
  const tokens = tokenise(pattern);
  if (!tokens) return { ok: false, reason: msg('import.skip.patternSyntax') };
  const observables: RawObservable[] = [];
  const ignored: string[] = [];
  let comparisons = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'word') {
      const word = token.text.toUpperCase();
      if (UNSUPPORTED_KEYWORDS.has(word)) {
        return { ok: false, reason: msg('import.skip.patternQualifier', { keyword: word }) };
      }
      continue;
    }
    if (token.kind !== 'path') continue;
    comparisons += 1;
    const op = tokens[i + 1];
    const value = tokens[i + 2];
    const operator =
      op?.kind === 'op' ? op.text : op?.kind === 'word' ? op.text.toUpperCase() : null;
    if (operator === null || (op.kind === 'word' && !WORD_OPERATORS.has(operator))) {
      return { ok: false, reason: msg('import.skip.patternSyntax') };
    }
    const described = `${token.text} ${operator}`;
    const type = observableTypeOfPath(token.text);
    if (operator !== '=' || type === null || value === undefined) {
      ignored.push(described);
      continue;
    }
    if (value.kind === 'string') {
      observables.push({ type: type === 'ip' ? ipType(value.text) : type, value: value.text });
    } else if (value.kind === 'word' && type === 'asn' && /^\d+$/.test(value.text)) {
      observables.push({ type, value: value.text });
    } else {
      ignored.push(described);
    }
  }
  if (comparisons === 0) return { ok: false, reason: msg('import.skip.patternSyntax') };
  if (observables.length === 0) {
    return { ok: false, reason: msg('import.skip.pattern', { comparisons: ignored.join('; ') }) };
  }
  return { ok: true, observables, ignored };
}
