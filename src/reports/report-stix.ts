import { createHash } from 'node:crypto';
import { CCC_PARTY } from '../vocabulary/member-states.js';
import { partyIdentity } from '../interchange/stix-identities.js';
import { markingsFor, tlpMarking, type StixObject } from '../interchange/stix-markings.js';
import { stixPattern } from '../interchange/stix-patterns.js';
import type { Lesson, ReportContent, TransnationalObservable } from './report-content.js';

/** The center's identity: the same object as in every incident export and TAXII collection. */
const CENTER = partyIdentity(CCC_PARTY);

/**
 * A STIX 2.1 bundle of the report: the center's identity, a `report` referring to the
 * contents, indicators (vulnerabilities for CVEs) for shareable transnational observables,
 * incidents with notes for lessons learned, and a summary note with the counts.
 */
export function renderStix(c: ReportContent): Record<string, unknown> {
  const reportId = c.report.id;
  const id = (type: string, name: string) => `${type}--${reportUuid(reportId, name)}`;
  const stamp = c.report.generatedAt;
  const audienceTlp = c.report.audience === 'public' ? 'TLP:CLEAR' : 'TLP:GREEN';
  const base = (type: string, objectId: string, tlp: string): StixObject => ({
    type,
    spec_version: '2.1',
    id: objectId,
    created_by_ref: CENTER.id,
    created: stamp,
    modified: stamp,
    object_marking_refs: [tlpMarking(tlp).id],
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
  return {
    type: 'bundle',
    id: id('bundle', 'bundle'),
    objects: [...markingsFor(used), CENTER, report, ...contents],
  };
}

/**
 * The UUIDv4 of one object of a report. SDOs, SROs and bundles take version 4 ids
 * (stix2-validator {103}; INTEROP T-STIX-5): the 122 random bits here are SHA-256 of the
 * report's own id, itself random and stored, and the object's name within the report. A
 * report never changes, so every download gives the same ids and no two reports share one.
 */
function reportUuid(reportId: string, name: string): string {
  const hash = createHash('sha256').update(`${reportId}\u0000${name}`, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x40;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
