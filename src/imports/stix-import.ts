import { createHash } from 'node:crypto';
import type { Tlp } from '../interchange/stix-markings.js';
import { msg, type Msg } from '../i18n/i18n.js';
import type { Candidate, Mapped, Skipped } from './import-candidate.js';
import { mostRestrictive, TLP_BY_MARKING_ID, tlpOfMarkingDefinition } from './import-tlp.js';
import { clip, instant, MAX_TITLE, paragraphs, versionText } from './import-text.js';
import { ObservableCollector } from './observable-collector.js';
import { schemaError } from './stix-schema.js';
import { hashType, readPattern } from './stix-pattern-reader.js';

/**
 * STIX 2.1 input → incidents to file (CONTRACT Interchange, INTEROP 1.2). Pure.
 * - Input: a bundle, a TAXII envelope `{objects}`, or a bare list of objects.
 * - Each `incident`, `report` or `grouping` becomes an incident with the observables of the
 *   objects it refers to (report/grouping `object_refs`; an incident's relationships); a
 *   bundle with none of them becomes one incident of all its observables.
 * - Observables from SCOs (ipv4/ipv6/domain/url/email, file hashes, autonomous systems,
 *   e-mail messages and network traffic through their references, observed-data), indicator
 *   patterns (stix-pattern-reader.ts) and `vulnerability` CVE ids.
 * - TLP: the most restrictive TLP marking (object and granular) on the incident's objects.
 * - Whatever is not taken is listed in `skipped` with its reason.
 */

type StixObject = Record<string, unknown> & { type: string; id: string };

/** Objects that give context (markings, authors, links) rather than content. */
const CONTEXT_TYPES = new Set([
  'marking-definition',
  'extension-definition',
  'language-content',
  'identity',
  'relationship',
]);
const CONTAINERS = new Set(['incident', 'report', 'grouping']);
const SIMPLE_SCOS: Record<string, 'ipv4' | 'ipv6' | 'domain' | 'url' | 'email'> = {
  'ipv4-addr': 'ipv4',
  'ipv6-addr': 'ipv6',
  'domain-name': 'domain',
  url: 'url',
  'email-addr': 'email',
};
const INCIDENT_CORE = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';
const ID = /^[a-z0-9][a-z0-9-]*--[0-9a-fA-F-]{36}$/;

export interface StixImportOptions {
  /** The title of the one incident a bundle without incident/report/grouping becomes. */
  title?: string;
}

export type StixInput = { ok: true; objects: unknown[]; bundleId: string | null } | { ok: false };

/** The objects of a bundle, envelope or list; not STIX input otherwise. */
export function stixObjectsOf(body: unknown): StixInput {
  if (Array.isArray(body)) return { ok: true, objects: body, bundleId: null };
  if (typeof body !== 'object' || body === null) return { ok: false };
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.objects)) {
    // An envelope with no objects is `{}` in TAXII; a bundle must have them.
    return b.type === undefined && Object.keys(b).every((k) => k === 'more' || k === 'next')
      ? { ok: true, objects: [], bundleId: null }
      : { ok: false };
  }
  if (b.type !== undefined && b.type !== 'bundle') return { ok: false };
  const bundleId = b.type === 'bundle' && typeof b.id === 'string' ? b.id : null;
  return { ok: true, objects: b.objects, bundleId };
}

/** Whether a value has the shape of a STIX object (type and a `type--uuid` id). */
export function isStixObject(o: unknown): o is StixObject {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const { type, id } = o as Record<string, unknown>;
  return (
    typeof type === 'string' && typeof id === 'string' && ID.test(id) && id.startsWith(`${type}--`)
  );
}

/** The version of an object as TAXII names it (`modified`, else `created`), or null. */
export function stixVersion(o: Record<string, unknown>): string | null {
  return typeof o.modified === 'string'
    ? o.modified
    : typeof o.created === 'string'
      ? o.created
      : null;
}

export function mapStix(body: unknown, options: StixImportOptions = {}): Mapped | { error: Msg } {
  const input = stixObjectsOf(body);
  if (!input.ok) return { error: msg('import.notStix') };
  const skipped: Skipped[] = [];
  const byId = new Map<string, StixObject>();
  // Every STIX-shaped object, valid or not: their markings still count for the TLP, so a
  // skipped object never lowers it.
  const marked = new Map<string, StixObject>();
  // Several versions of one object: the latest is the one that counts.
  const later = (o: StixObject, known: StixObject | undefined) =>
    !known || (versionText(stixVersion(o)) ?? '') > (versionText(stixVersion(known)) ?? '');
  input.objects.forEach((o, index) => {
    if (!isStixObject(o)) {
      skipped.push({ ref: `objects[${index}]`, message: msg('import.skip.invalidObject') });
      return;
    }
    if (later(o, marked.get(o.id))) marked.set(o.id, o);
    // Each object against its own type's schema (INTEROP S-1): one that fails is skipped.
    const invalid = schemaError(o);
    if (invalid !== null) {
      skipped.push({ ref: o.id, message: msg('import.skip.schema', { error: invalid }) });
      return;
    }
    if (later(o, byId.get(o.id))) byId.set(o.id, o);
  });
  const reader = new StixReader(byId, marked);
  const containers = [...byId.values()].filter((o) => CONTAINERS.has(o.type));
  const candidates: Candidate[] = [];
  const accounted = new Set<string>();
  if (containers.length > 0) {
    for (const container of containers) {
      const refs = reader.refsOf(container);
      candidates.push(reader.candidate(container, refs, skipped, options));
      accounted.add(container.id);
      for (const id of reader.reach(refs)) accounted.add(id);
    }
    for (const o of byId.values()) {
      if (!accounted.has(o.id) && !CONTEXT_TYPES.has(o.type)) {
        skipped.push({ ref: o.id, message: msg('import.skip.unreferenced') });
      }
    }
  } else if (byId.size > 0) {
    const externalId = input.bundleId ?? envelopeId([...marked.values()]);
    candidates.push(
      reader.candidate(null, [...marked.keys()], skipped, { ...options, externalId }),
    );
  } else if (input.objects.length === 0) {
    return { error: msg('import.noObjects') };
  }
  // Otherwise every object was skipped: no incident, and the items say why.
  return { candidates, skipped: dedupe(skipped) };
}

/** A stable id for an envelope without a bundle id: a hash of its objects' ids and versions. */
function envelopeId(objects: StixObject[]): string {
  const text = objects
    .map((o) => `${o.id}@${stixVersion(o) ?? ''}`)
    .sort()
    .join('\n');
  return `envelope--${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

function dedupe(skipped: Skipped[]): Skipped[] {
  const seen = new Set<string>();
  return skipped.filter((s) => {
    const key = `${s.ref}\u0000${JSON.stringify(s.message)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

class StixReader {
  private readonly markingTlp = new Map<string, Tlp>();

  constructor(
    private readonly byId: Map<string, StixObject>,
    /** Every object of the input, schema-valid or not (see mapStix). */
    private readonly marked: Map<string, StixObject>,
  ) {
    for (const [id, tlp] of Object.entries(TLP_BY_MARKING_ID)) this.markingTlp.set(id, tlp);
    for (const o of marked.values()) {
      if (o.type !== 'marking-definition') continue;
      const tlp = tlpOfMarkingDefinition(o);
      // A known TLP id keeps its standard meaning whatever the object says (INTEROP L-2).
      if (tlp && !TLP_BY_MARKING_ID[o.id]) this.markingTlp.set(o.id, tlp);
    }
  }

  /** What a container refers to: object_refs, or (an incident) its relationships' ends. */
  refsOf(container: StixObject): string[] {
    const refs = strings(container.object_refs);
    if (container.type !== 'incident') return refs;
    const out = new Set(refs);
    for (const o of this.byId.values()) {
      if (o.type === 'relationship') {
        if (o.source_ref === container.id && typeof o.target_ref === 'string') {
          out.add(o.id).add(o.target_ref);
        } else if (o.target_ref === container.id && typeof o.source_ref === 'string') {
          out.add(o.id).add(o.source_ref);
        }
      }
    }
    return [...out];
  }

  /** Every object id these refs lead to (observed-data and SCO references followed). */
  reach(refs: string[]): Set<string> {
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const o = this.byId.get(id);
      if (!o) return;
      for (const key of ['object_refs', 'to_refs', 'cc_refs', 'observed_data_refs']) {
        strings(o[key]).forEach(visit);
      }
      for (const key of ['from_ref', 'sender_ref', 'src_ref', 'dst_ref']) {
        if (typeof o[key] === 'string') visit(o[key]);
      }
    };
    refs.forEach(visit);
    return seen;
  }

  private tlpsOf(o: StixObject): (Tlp | null)[] {
    const granular = Array.isArray(o.granular_markings)
      ? (o.granular_markings as Record<string, unknown>[]).map((g) => g?.marking_ref)
      : [];
    return [...strings(o.object_marking_refs), ...strings(granular)].map(
      (id) => this.markingTlp.get(id) ?? null,
    );
  }

  /** Statements and other non-TLP markings, kept as text (INTEROP L-6). */
  private statementsOf(objects: StixObject[]): string[] {
    const out = new Set<string>();
    for (const o of objects) {
      const granular = Array.isArray(o.granular_markings)
        ? (o.granular_markings as Record<string, unknown>[]).map((g) => g?.marking_ref)
        : [];
      for (const id of [...strings(o.object_marking_refs), ...strings(granular)]) {
        const marking = this.byId.get(id);
        if (!marking || this.markingTlp.has(id)) continue;
        const definition = marking.definition as Record<string, unknown> | undefined;
        const text =
          typeof definition?.statement === 'string'
            ? definition.statement
            : typeof marking.name === 'string'
              ? marking.name
              : id;
        out.add(text);
      }
    }
    return [...out];
  }

  candidate(
    container: StixObject | null,
    refs: string[],
    skipped: Skipped[],
    options: StixImportOptions & { externalId?: string },
  ): Candidate {
    const collector = new ObservableCollector(skipped);
    const members = new Set<string>();
    const reached = [...this.reach(refs)];
    for (const id of reached) {
      const o = this.byId.get(id);
      if (!o) {
        // Absent (a reference to nothing), unless it was skipped already for its schema.
        if (refs.includes(id) && !this.marked.has(id)) {
          skipped.push({ ref: id, message: msg('import.skip.missingRef') });
        }
        continue;
      }
      if (this.take(o, collector, skipped)) members.add(o.id);
    }
    const used = reached.map((id) => this.byId.get(id)).filter((o): o is StixObject => !!o);
    if (container) {
      members.add(container.id);
      used.push(container);
    }
    // Over everything it refers to, skipped objects included (a skip never lowers the TLP).
    const all = [...reached, ...(container ? [container.id] : [])]
      .map((id) => this.marked.get(id))
      .filter((o): o is StixObject => !!o);
    const tlp = mostRestrictive(all.flatMap((o) => this.tlpsOf(o)));
    // Provenance and markings other than TLP become text of the description.
    const author = container ? this.byId.get(String(container.created_by_ref)) : undefined;
    const statements = this.statementsOf(used);
    const externalId = container?.id ?? options.externalId ?? 'bundle';
    const versions = used.map((o) => versionText(stixVersion(o))).filter((v) => v !== null);
    const version = container
      ? (versionText(stixVersion(container)) ?? '')
      : (versions.sort().at(-1) ?? '');
    const name = typeof container?.name === 'string' ? container.name : null;
    const title = clip(
      (name ?? options.title ?? `STIX bundle ${externalId}`).trim() || externalId,
      MAX_TITLE,
    );
    const times = container?.type === 'incident' ? incidentTimes(container) : null;
    return {
      ref: externalId,
      externalId,
      version,
      title,
      description: paragraphs([
        typeof container?.description === 'string' ? container.description : null,
        name !== null && [...name].length > MAX_TITLE ? name : null,
        ...statements.map((s) => `Marking: ${s}`),
        `Imported from STIX ${externalId}${
          typeof author?.name === 'string' ? `, created by ${author.name}` : ''
        }.`,
      ]),
      tlp,
      category: null,
      severity: null,
      occurredAt: instant(container?.published) ?? times?.occurredAt ?? null,
      detectedAt: times?.detectedAt ?? null,
      observables: collector.observables,
      members: [...members],
    };
  }

  /** Adds what one object says; false when the object is skipped (with its reason). */
  private take(o: StixObject, collector: ObservableCollector, skipped: Skipped[]): boolean {
    const simple = SIMPLE_SCOS[o.type];
    if (simple) {
      if (typeof o.value !== 'string') {
        skipped.push({ ref: o.id, message: msg('import.skip.invalidObject') });
        return false;
      }
      return collector.add(o.id, { type: simple, value: o.value });
    }
    switch (o.type) {
      case 'indicator':
        return this.takeIndicator(o, collector, skipped);
      case 'file':
      case 'artifact': {
        const hashes = (o.hashes ?? {}) as Record<string, unknown>;
        let any = false;
        for (const [name, value] of Object.entries(hashes)) {
          const type = hashType(name);
          if (type && typeof value === 'string') any = collector.add(o.id, { type, value }) || any;
        }
        if (!any) skipped.push({ ref: o.id, message: msg('import.skip.noHash') });
        return any;
      }
      case 'autonomous-system':
        return collector.add(o.id, { type: 'asn', value: String(o.number) });
      case 'vulnerability': {
        const refs = Array.isArray(o.external_references)
          ? (o.external_references as Record<string, unknown>[])
          : [];
        const cve =
          refs.find((r) => r?.source_name === 'cve' && typeof r.external_id === 'string')
            ?.external_id ?? (/^CVE-\d{4}-\d+$/i.test(String(o.name)) ? o.name : null);
        if (typeof cve !== 'string') {
          skipped.push({ ref: o.id, message: msg('import.skip.noCve') });
          return false;
        }
        return collector.add(o.id, { type: 'cve', value: cve });
      }
      case 'network-traffic':
      case 'email-message':
      case 'observed-data':
      case 'sighting':
        // Their references are followed (reach); the objects they lead to carry the values.
        return true;
      case 'incident':
      case 'report':
      case 'grouping':
        return true;
      default:
        if (CONTEXT_TYPES.has(o.type)) return true;
        skipped.push({ ref: o.id, message: msg('import.skip.objectType', { type: o.type }) });
        return false;
    }
  }

  private takeIndicator(o: StixObject, collector: ObservableCollector, skipped: Skipped[]) {
    if (o.pattern_type !== 'stix' || typeof o.pattern !== 'string') {
      skipped.push({
        ref: o.id,
        message: msg('import.skip.patternType', { type: String(o.pattern_type) }),
      });
      return false;
    }
    const reading = readPattern(o.pattern);
    if (!reading.ok) {
      skipped.push({ ref: o.id, message: reading.reason });
      return false;
    }
    let any = false;
    for (const raw of reading.observables) any = collector.add(o.id, raw) || any;
    if (reading.ignored.length > 0) {
      skipped.push({
        ref: o.id,
        message: msg('import.skip.comparisons', { comparisons: reading.ignored.join('; ') }),
      });
    }
    return any;
  }
}

/** occurredAt / detectedAt from the DC3 incident-core extension's activities, when given. */
function incidentTimes(incident: StixObject): {
  occurredAt: string | null;
  detectedAt: string | null;
} {
  const ext = (incident.extensions as Record<string, Record<string, unknown>> | undefined)?.[
    INCIDENT_CORE
  ];
  const earliest = (activities: unknown, keys: string[]) =>
    (Array.isArray(activities) ? (activities as Record<string, unknown>[]) : [])
      .flatMap((a) => keys.map((k) => instant(a?.[k])))
      .filter((t): t is string => t !== null)
      .sort()[0] ?? null;
  return {
    occurredAt: earliest(ext?.attacker_activities, ['start_time', 'time']),
    detectedAt: earliest(ext?.defender_activities, ['time', 'start_time']),
  };
}
