import secureJson from 'secure-json-parse';
import { scanJson, textFieldErrors, type TextFieldError } from './json-scan.js';

/** What the checks of a large JSON body found: its route's summary of it, or why it is refused. */
export type LargeJsonOutcome =
  | { ok: true; summary: unknown }
  | { ok: false; reason: 'utf8' | 'empty' | 'depth' | 'syntax' | 'complex' }
  | { ok: false; reason: 'text'; errors: TextFieldError[] };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Most values (arrays, objects and commas) a large body may hold. A 32 MiB STIX bundle or
 * MISP event holds well under 2 million; 32 MiB of `[],[],…` would make 11 million arrays,
 * more than the thread's heap, and V8 ends the whole process when JSON.parse runs out of it.
 */
export const MAX_LARGE_STRUCTURES = 4_000_000;

/**
 * Run in the helper thread (common/thread.ts) for a `LargeBody` route: the same checks the
 * JSON parser of http-input makes (UTF-8, nesting depth, JSON with no `__proto__` or
 * `constructor` key, storable text), then the route's summariser (`summarise(body)` exported
 * by the module at `summariser`) reduces the parsed body to what the route needs, so only
 * that comes back to the event loop.
 */
export async function parseLargeJson(
  bytes: Uint8Array,
  summariser: string,
  maxDepth: number,
): Promise<LargeJsonOutcome> {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, reason: 'utf8' };
  }
  if (text.trim() === '') return { ok: false, reason: 'empty' };
  const scan = scanJson(text, maxDepth);
  if (scan.tooDeep) return { ok: false, reason: 'depth' };
  if (scan.structures > MAX_LARGE_STRUCTURES) return { ok: false, reason: 'complex' };
  let body: unknown;
  try {
    body = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    return { ok: false, reason: 'syntax' };
  }
  if (scan.suspectText) {
    const errors = textFieldErrors(body);
    if (errors.length > 0) return { ok: false, reason: 'text', errors };
  }
  const module = (await import(summariser)) as { summarise: (body: unknown) => unknown };
  return { ok: true, summary: module.summarise(body) };
}
