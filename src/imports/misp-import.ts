import { CATEGORIES } from '../vocabulary/rsit.js';
import type { Tlp } from '../interchange/stix-markings.js';
import { msg, type Msg } from '../i18n/i18n.js';
import type { ObservableType } from '../vocabulary/vocabulary.js';
import type { Candidate, Mapped, Skipped } from './import-candidate.js';
import { mostRestrictive, tlpFromWord } from './import-tlp.js';
import { clip, MAX_TITLE, paragraphs } from './import-text.js';
import { ObservableCollector } from './observable-collector.js';
import { ipType } from './stix-pattern-reader.js';

/**
 * MISP event JSON → one incident per event (CONTRACT Interchange, INTEROP 1.3). Pure.
 * Accepts `{"Event": …}`, a bare event, or a REST search answer `{"response": [{"Event": …}]}`.
 * Attributes and the attributes of objects become observables by type (table below);
 * deleted attributes, unmappable types and the hashes of PE sections (not file hashes) are
 * skipped with their reason. `tlp:` tags of the event and of its attributes give the TLP
 * (most restrictive; `tlp:white` is CLEAR, `tlp:ex:chr`/`tlp:unclear` are no TLP), `rsit:`
 * or else `ecsirt:` tags the category, `threat_level_id` the severity.
 */

/** Which part of a (composite) attribute value is which observable. */
type Part = ObservableType | 'ip' | null;
const ATTRIBUTE_TYPES: Record<string, Part[]> = {
  'ip-src': ['ip'],
  'ip-dst': ['ip'],
  'ip-src|port': ['ip', null],
  'ip-dst|port': ['ip', null],
  'domain|ip': ['domain', 'ip'],
  domain: ['domain'],
  hostname: ['domain'],
  'hostname|port': ['domain', null],
  url: ['url'],
  email: ['email'],
  'email-src': ['email'],
  'email-dst': ['email'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  'filename|md5': [null, 'md5'],
  'filename|sha1': [null, 'sha1'],
  'filename|sha256': [null, 'sha256'],
  vulnerability: ['cve'],
  AS: ['asn'],
};

/** MISP threat levels: 1 High, 2 Medium, 3 Low, 4 Undefined (the importer's default). */
const SEVERITY: Record<string, string> = { '1': 'high', '2': 'medium', '3': 'low' };

/** The older eCSIRT.net taxonomy → RSIT, where the value differs (same pairs map as they are). */
const ECSIRT_TO_RSIT: Record<string, string> = {
  'malicious-code/virus': 'malicious-code/infected-system',
  'malicious-code/worm': 'malicious-code/infected-system',
  'malicious-code/trojan': 'malicious-code/infected-system',
  'malicious-code/spyware': 'malicious-code/infected-system',
  'malicious-code/dialer': 'malicious-code/infected-system',
  'malicious-code/rootkit': 'malicious-code/infected-system',
  'malicious-code/malware': 'malicious-code/infected-system',
  'malicious-code/ransomware': 'malicious-code/infected-system',
  'malicious-code/botnet-drone': 'malicious-code/infected-system',
  'malicious-code/c&c': 'malicious-code/c2-server',
  'intrusions/bot': 'intrusions/system-compromise',
  'intrusions/compromised': 'intrusions/system-compromise',
  'intrusions/backdoor': 'intrusions/system-compromise',
  'intrusions/defacement': 'intrusions/application-compromise',
  'information-content-security/dropzone': 'information-content-security/data-leak',
  'fraud/unauthorized-use-of-resources': 'fraud/unauthorised-use-of-resources',
  'vulnerable/vulnerable-service': 'vulnerable/vulnerable-system',
  'other/blacklist': 'other/other',
  'other/unknown': 'other/undetermined',
};

type Json = Record<string, unknown>;

/** The events of the input; null when it is not MISP event JSON. */
export function mispEventsOf(body: unknown): Json[] | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Json;
  if (Array.isArray(b.response)) {
    const events = b.response.map((r) => (r as Json | null)?.Event);
    return events.every(isEvent) ? (events as Json[]) : null;
  }
  if (b.Event !== undefined) return isEvent(b.Event) ? [b.Event as Json] : null;
  return isEvent(b) ? [b] : null;
}

function isEvent(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const { uuid, info } = e as Json;
  return typeof uuid === 'string' && uuid !== '' && typeof info === 'string';
}

function list(value: unknown): Json[] {
  return Array.isArray(value)
    ? value.filter((v): v is Json => typeof v === 'object' && v !== null)
    : [];
}

/** Tag names of an event or attribute: `Tag: [{name}]` or `EventTag: [{Tag: {name}}]`. */
function tagsOf(o: Json): string[] {
  const direct = list(o.Tag).map((t) => t.name);
  const wrapped = [...list(o.EventTag), ...list(o.AttributeTag)].map((t) => (t.Tag as Json)?.name);
  return [...direct, ...wrapped].filter((n): n is string => typeof n === 'string');
}

function tlpOfTags(tags: string[]): Tlp | null {
  return mostRestrictive(
    tags.filter((t) => /^tlp:/i.test(t)).map((t) => tlpFromWord(t.slice(t.indexOf(':') + 1))),
  );
}

/** `rsit:class="type"` first, else `ecsirt:class="type"` through the table; null when none. */
export function categoryOfTags(tags: string[]): string | null {
  const parse = (prefix: string) =>
    tags
      .map((t) => new RegExp(`^${prefix}:([a-z-]+)="([^"]+)"$`, 'i').exec(t.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1].toLowerCase()}/${m[2].toLowerCase()}`);
  const rsit = parse('rsit').find((c) => CATEGORIES.includes(c));
  if (rsit) return rsit;
  for (const pair of parse('ecsirt')) {
    const mapped = ECSIRT_TO_RSIT[pair] ?? pair;
    if (CATEGORIES.includes(mapped)) return mapped;
  }
  return null;
}

/** The event `timestamp` (epoch seconds) as version text, like STIX versions (import-text). */
function versionOf(timestamp: unknown): string {
  const seconds = Number(timestamp);
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  return new Date(Math.floor(seconds) * 1000).toISOString().replace('.000Z', '.000000000Z');
}

export function mapMisp(body: unknown): Mapped | { error: Msg } {
  const events = mispEventsOf(body);
  if (!events || events.length === 0) return { error: msg('import.notMisp') };
  const skipped: Skipped[] = [];
  return { candidates: events.map((e) => mapEvent(e, skipped)), skipped };
}

function mapEvent(event: Json, skipped: Skipped[]): Candidate {
  const uuid = String(event.uuid);
  const collector = new ObservableCollector(skipped);
  const tlps: (Tlp | null)[] = [tlpOfTags(tagsOf(event))];
  const take = (attribute: Json, ref: string, objectName: string | null) => {
    const type = text(attribute.type);
    const id = typeof attribute.uuid === 'string' ? attribute.uuid : ref;
    if (attribute.deleted === true || attribute.deleted === '1' || attribute.deleted === 1) {
      skipped.push({ ref: id, message: msg('import.skip.deleted') });
      return;
    }
    tlps.push(tlpOfTags(tagsOf(attribute)));
    const parts = ATTRIBUTE_TYPES[type];
    if (!parts) {
      skipped.push({ ref: id, message: msg('import.skip.mispType', { type }) });
      return;
    }
    if (objectName === 'pe-section') {
      // A section's hash is not the hash of any file (INTEROP 1.3).
      skipped.push({ ref: id, message: msg('import.skip.peSection') });
      return;
    }
    const values = parts.length === 1 ? [text(attribute.value)] : splitComposite(attribute);
    parts.forEach((part, n) => {
      const value = values[n];
      if (part === null || value === undefined) return;
      collector.add(id, { type: part === 'ip' ? ipType(value) : part, value });
    });
  };
  list(event.Attribute).forEach((a, i) => take(a, `Attribute[${i}]`, null));
  list(event.Object).forEach((o, i) => {
    const name = typeof o.name === 'string' ? o.name : null;
    if (o.deleted === true) {
      skipped.push({
        ref: typeof o.uuid === 'string' ? o.uuid : `Object[${i}]`,
        message: msg('import.skip.deleted'),
      });
      return;
    }
    list(o.Attribute).forEach((a, j) => take(a, `Object[${i}].Attribute[${j}]`, name));
  });
  const info = String(event.info).trim() || uuid;
  const orgc = (event.Orgc as Json | undefined)?.name;
  const date = typeof event.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(event.date);
  return {
    ref: uuid,
    externalId: uuid,
    version: versionOf(event.timestamp),
    title: clip(info, MAX_TITLE),
    description: paragraphs([
      [...info].length > MAX_TITLE ? info : null,
      `Imported from MISP event ${uuid}${typeof orgc === 'string' ? ` of ${orgc}` : ''}.`,
    ]),
    tlp: mostRestrictive(tlps),
    category: categoryOfTags(tagsOf(event)),
    severity: SEVERITY[String(event.threat_level_id)] ?? null,
    occurredAt: date ? `${String(event.date)}T00:00:00.000Z` : null,
    detectedAt: null,
    observables: collector.observables,
    members: [uuid],
  };
}

/** The parts of `a|b` values (`value1`/`value2` when MISP sends them split). */
function splitComposite(attribute: Json): string[] {
  if (typeof attribute.value1 === 'string' && typeof attribute.value2 === 'string') {
    return [attribute.value1, attribute.value2];
  }
  const value = text(attribute.value);
  const bar = value.indexOf('|');
  return bar < 0 ? [value] : [value.slice(0, bar), value.slice(bar + 1)];
}

/** A scalar attribute field as text ('' for anything else). */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
