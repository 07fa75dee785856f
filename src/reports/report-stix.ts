import clearBundle from './data/tlp-clear.json' with { type: 'json' };
import type { Lesson, ReportContent, TransnationalObservable } from './report-content.js';
import { uuidV5 } from './uuid-v5.js';

/** Namespace of every STIX id this service derives (uuidv5), so regenerating is stable. */
const STIX_NAMESPACE = 'b0b6a35e-5d0c-4c43-9e38-0c7f2f6f1c2d';
const TLP_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

type StixObject = Record<string, unknown> & { type: string; id: string };

/** TLP 2.0 marking-definitions (oasis-open/cti-stix-common-objects, see data/LICENSE.md). */
const CLEAR = clearBundle.objects[0] as StixObject;
// The shared standards hold no tlp-green.json; this is the object the TLP 2.0 extension
// definition (data/extension-definition--60a3…json) prescribes for GREEN.
const GREEN: StixObject = {
  type: 'marking-definition',
  spec_version: '2.1',
  id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  created: '2022-10-01T00:00:00.000Z',
  name: 'TLP:GREEN',
  extensions: { [TLP_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: 'green' } },
};
export const TLP_MARKINGS: Record<string, StixObject> = { 'TLP:CLEAR': CLEAR, 'TLP:GREEN': GREEN };

/** The center's identity is the same object in every bundle. */
const CENTER_CREATED = '2026-01-01T00:00:00.000Z';
const CENTER_ID = `identity--${uuidV5('identity:CCC', STIX_NAMESPACE)}`;

/**
 * A STIX 2.1 bundle of the report: the center's identity, a `report` referring to the
 * contents, indicators (vulnerabilities for CVEs) for shareable transnational observables,
 * incidents with notes for lessons learned, and a summary note with the counts.
 */
export function renderStix(c: ReportContent): Record<string, unknown> {
  const reportId = c.report.id;
  const id = (type: string, name: string) =>
    `${type}--${uuidV5(`${reportId}:${name}`, STIX_NAMESPACE)}`;
  const stamp = c.report.generatedAt;
  const audienceTlp = c.report.audience === 'public' ? 'TLP:CLEAR' : 'TLP:GREEN';
  const base = (type: string, objectId: string, tlp: string): StixObject => ({
    type,
    spec_version: '2.1',
    id: objectId,
    created_by_ref: CENTER_ID,
    created: stamp,
    modified: stamp,
    object_marking_refs: [TLP_MARKINGS[tlp].id],
  });

  const stixReportId = id('report', 'report');
  const summary = {
    ...base('note', id('note', 'summary'), audienceTlp),
    abstract: 'Summary of the period',
    content: summaryText(c),
    authors: ['CCC'],
    object_refs: [stixReportId],
  };
  const observables = c.transnationalObservables.items.map((o) =>
    observableObject(
      o,
      base(
        o.type === 'cve' ? 'vulnerability' : 'indicator',
        id(o.type === 'cve' ? 'vulnerability' : 'indicator', `${o.type}:${o.value}`),
        o.tlp,
      ),
      c,
    ),
  );
  const lessons = c.lessonsLearned.items.flatMap((l) => {
    const incident = {
      ...base('incident', id('incident', l.reference), l.tlp),
      name: `${l.reference}: ${l.title}`,
      description: `${l.category}, ${l.severity} severity, ${l.sector} sector, reported by ${l.reportingState}; resolved ${l.resolvedAt}.`,
      labels: [l.category],
      external_references: [{ source_name: 'ccc', external_id: l.reference }],
    };
    return [
      incident,
      lessonNote(l, base('note', id('note', `lessons:${l.reference}`), l.tlp), incident.id),
    ];
  });
  const contents = [summary, ...observables, ...lessons];
  const report = {
    ...base('report', stixReportId, audienceTlp),
    name: `CCC ${c.report.kind} report ${c.report.from} to ${c.report.to} (${c.report.audience})`,
    description: `Experience-sharing report of the coordination center for [${c.report.from}, ${c.report.to}). Details only ${c.detailedTlp.join(' and ')} incidents.`,
    published: stamp,
    report_types: ['threat-report'],
    object_refs: contents.map((o) => o.id),
  };
  const used = new Set<string>([
    'TLP:CLEAR',
    audienceTlp,
    ...c.transnationalObservables.items.map((o) => o.tlp),
    ...c.lessonsLearned.items.map((l) => l.tlp),
  ]);
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: CENTER_ID,
    created: CENTER_CREATED,
    modified: CENTER_CREATED,
    name: 'CCC coordination center',
    identity_class: 'organization',
    object_marking_refs: [CLEAR.id],
  };
  const markings = Object.entries(TLP_MARKINGS)
    .filter(([tlp]) => used.has(tlp))
    .map(([, marking]) => marking);
  return {
    type: 'bundle',
    id: id('bundle', 'bundle'),
    objects: [...markings, identity, report, ...contents],
  };
}

function observableObject(
  o: TransnationalObservable,
  base: StixObject,
  c: ReportContent,
): StixObject {
  const description = `Reported by ${o.states.length} member states (${o.states.map((s) => `${s.state}: ${s.incidents}`).join(', ')}) in ${o.incidents} incidents opened between ${c.report.from} and ${c.report.to}.`;
  if (o.type === 'cve') {
    return {
      ...base,
      name: o.value,
      description,
      external_references: [{ source_name: 'cve', external_id: o.value }],
    };
  }
  return {
    ...base,
    name: `${o.type} ${o.value}`,
    description,
    indicator_types: ['unknown'],
    pattern: stixPattern(o.type, o.value),
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: c.report.from,
  };
}

function lessonNote(l: Lesson, base: StixObject, incidentId: string): StixObject {
  return {
    ...base,
    abstract: `Lessons learned from ${l.reference}`,
    content: `Resolution: ${l.summary ?? '(none recorded)'}\n\nLessons learned: ${l.lessons ?? '(none recorded)'}`,
    authors: ['CCC'],
    object_refs: [incidentId],
  };
}

const PATTERN_PATHS: Record<string, string> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
};

/** A STIX 2.1 pattern matching one normalised observable. */
export function stixPattern(type: string, value: string): string {
  if (type === 'asn') return `[autonomous-system:number = ${Number(value)}]`;
  const path = PATTERN_PATHS[type];
  if (!path) throw new Error(`no STIX pattern for observable type ${type}`);
  return `[${path} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

function summaryText(c: ReportContent): string {
  const list = (rows: { key: string; count: number }[]) =>
    rows
      .filter((r) => r.count > 0)
      .map((r) => `${r.key} ${r.count}`)
      .join(', ') || 'none';
  return [
    `Incidents opened: ${c.totals.opened}; resolved: ${c.totals.resolved}; rejected: ${c.totals.rejected}.`,
    `By reporting state: ${list(c.counts.byReportingState)}.`,
    `By category: ${list(c.counts.byCategory)}.`,
    `By severity: ${list(c.counts.bySeverity)}.`,
    `By sector: ${list(c.counts.bySector)}.`,
    `By TLP: ${list(c.counts.byTlp)}.`,
    `Median time to first acknowledgement: ${seconds(c.timings.acknowledgement.overall.medianSeconds)}; to resolution: ${seconds(c.timings.resolution.overall.medianSeconds)}.`,
    `Transnational observables: ${c.transnationalObservables.total} (${c.transnationalObservables.shareable} shareable).`,
  ].join('\n');
}

function seconds(s: number | null): string {
  return s === null ? 'n/a' : `${Math.round(s)} s`;
}
