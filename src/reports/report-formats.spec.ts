import { StixValidator } from '../../test/fixtures/stix/stix-validator.js';
import type { ReportContent } from './report-content.js';
import { renderMarkdown } from './report-markdown.js';
import { formatDuration } from './report-text.js';
import { renderStix } from './report-stix.js';

const stats = (count: number, median: number | null, p90: number | null) => ({
  count,
  medianSeconds: median,
  p90Seconds: p90,
});

function sample(audience: 'community' | 'public' = 'community'): ReportContent {
  return {
    format: 'ccc-report/1',
    report: {
      id: '6f1c7f0e-2a51-4d0e-9d55-1b2f3a4c5d6e',
      kind: 'monthly',
      audience,
      from: '2026-04-01T00:00:00.000Z',
      to: '2026-05-01T00:00:00.000Z',
      generatedAt: '2026-05-01T00:00:05.123Z',
    },
    detailedTlp: audience === 'public' ? ['TLP:CLEAR'] : ['TLP:CLEAR', 'TLP:GREEN'],
    totals: { opened: 3, resolved: 1, rejected: 0 },
    counts: {
      byReportingState: [
        { key: 'BY', count: 2 },
        { key: 'RU', count: 1 },
      ],
      byClass: [{ key: 'fraud', count: 3 }],
      byCategory: [{ key: 'fraud/phishing', count: 3 }],
      bySeverity: [{ key: 'high', count: 3 }],
      bySector: [{ key: 'finance', count: 3 }],
      byTlp: [{ key: 'TLP:GREEN', count: 3 }],
      byStatus: [
        { key: 'resolved', count: 1 },
        { key: 'new', count: 2 },
      ],
    },
    timings: {
      acknowledgement: {
        overall: stats(2, 600, 900),
        bySeverity: [{ severity: 'high', ...stats(2, 600, 900) }],
      },
      resolution: {
        overall: stats(1, 7200, 7200),
        bySeverity: [{ severity: 'high', ...stats(1, 7200, 7200) }],
      },
    },
    escalations: [{ state: 'KZ', dispatches: 2, acknowledged: 1, escalated: 1, escalations: 2 }],
    transnationalObservables: {
      total: 4,
      shareable: 4,
      items: [
        ['ipv4', '203.0.113.7'],
        ['domain', "evil'quote.example"],
        ['sha256', 'a'.repeat(64)],
        ['asn', '64500'],
        ['cve', 'CVE-2026-12345'],
        ['url', 'http://x.example/a|b'],
        ['email', 'a@b.example'],
        ['md5', 'b'.repeat(32)],
        ['sha1', 'c'.repeat(40)],
        ['ipv6', '2001:db8::1'],
      ].map(([type, value]) => ({
        type,
        value,
        incidents: 2,
        states: [
          { state: 'BY', incidents: 1 },
          { state: 'RU', incidents: 1 },
        ],
        tlp: audience === 'public' ? 'TLP:CLEAR' : 'TLP:GREEN',
      })),
    },
    lessonsLearned: {
      total: 1,
      items: [
        {
          reference: 'CCC-2026-000001',
          title: 'Phishing | wave\nagainst banks <script>',
          category: 'fraud/phishing',
          severity: 'high',
          sector: 'finance',
          tlp: 'TLP:CLEAR',
          reportingState: 'BY',
          resolvedAt: '2026-04-10T12:00:00.000Z',
          summary: 'Domains taken down',
          lessons: 'Share lookalike domains earlier',
        },
      ],
    },
  };
}

describe('report formats', () => {
  const validator = new StixValidator();

  it('builds a STIX bundle whose every object validates against its type schema', () => {
    for (const audience of ['community', 'public'] as const) {
      const bundle = renderStix(sample(audience)) as {
        id: string;
        objects: { type: string; id: string }[];
      };
      expect(validator.validateObjects(bundle.objects)).toEqual([]);
      // What stix2-validator --strict checks besides: UUIDv4 ids ({103}, INTEROP T-STIX-5)…
      expect(
        validator.referenceChecks(bundle.objects, { bundleId: bundle.id, enforceRefs: true }),
      ).toEqual([]);
      const types = bundle.objects.map((o) => o.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'identity',
          'report',
          'indicator',
          'vulnerability',
          'note',
          'incident',
          'marking-definition',
        ]),
      );
    }
  });

  it('the validator rejects a broken object (so the check above can fail)', () => {
    const bundle = renderStix(sample()) as { objects: Record<string, unknown>[] };
    const indicator = {
      ...bundle.objects.find((o) => o.type === 'indicator')!,
      valid_from: 'yesterday',
    };
    const marking = {
      ...bundle.objects.find((o) => o.type === 'marking-definition')!,
      name: 'TLP:PINK',
    };
    const failures = validator.validateObjects([indicator, marking] as any);
    expect(failures.map((f) => f.type)).toEqual(['indicator', 'marking-definition']);
  });

  it('marks a community bundle GREEN, a public one CLEAR, and keeps ids stable', () => {
    const green = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
    const clear = 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487';
    const community = renderStix(sample('community')) as any;
    const report = community.objects.find((o: any) => o.type === 'report');
    expect(report.object_marking_refs).toEqual([green]);
    expect(report.object_refs).toHaveLength(community.objects.length - 4); // not markings, identity, itself
    const pub = renderStix(sample('public')) as any;
    expect(pub.objects.find((o: any) => o.type === 'report').object_marking_refs).toEqual([clear]);
    expect(pub.objects.some((o: any) => o.id === green)).toBe(false);
    expect(JSON.stringify(renderStix(sample()))).toBe(JSON.stringify(community));
    // Another report, other ids: they come from the report's own (random) id.
    const other = sample('community');
    other.report.id = '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70';
    const ids = (b: any) =>
      b.objects.map((o: any) => o.id).filter((id: string) => !/^(marking|identity)/.test(id));
    const otherIds = new Set(ids(renderStix(other)));
    for (const id of ids(community)) expect(otherIds.has(id)).toBe(false);
  });

  it('renders markdown with tables, one-line cells and no raw HTML from reports', () => {
    const md = renderMarkdown(sample());
    expect(md).toMatch(/^# CCC monthly report: 2026-04-01 to 2026-05-01/);
    expect(md).toContain('| State | Incidents |');
    expect(md).toContain('| Belarus | 2 |');
    expect(md).toContain('`http://x.example/a\\|b`');
    expect(md).toContain('### CCC-2026-000001: Phishing | wave against banks &lt;script&gt;');
    expect(md).not.toContain('<script>');
    expect(md).toContain('| **all** | 2 | 10 min | 15 min |');
    // Escalations per state: dispatches, acknowledged, escalated, escalation steps.
    expect(md).toContain('| Kazakhstan | 2 | 1 | 1 | 2 |');
    // A report made before v2 has no per-day or per-state figures: those sections are left out.
    expect(md).not.toContain('## Incidents per day');
    expect(md).not.toContain('Median times by state');
  });

  it('renders markdown in Russian with the same numbers and the same reported text', () => {
    const c = withV2Figures(sample());
    const en = renderMarkdown(c, 'en');
    const ru = renderMarkdown(c, 'ru');
    expect(ru).toMatch(/^# Ежемесячный отчёт ККЦ: с 2026-04-01 по 2026-05-01/);
    expect(ru).toContain('| Государство | Инциденты |');
    expect(ru).toContain('| Беларусь | 2 |');
    expect(ru).toContain('| **все** | 2 | 10 мин | 15 мин |');
    expect(ru).toContain('## Инциденты по дням и сообщившим государствам');
    expect(ru).toContain('| 2026-04-02 | 2 | 0 | 2 |');
    expect(ru).toContain('| Казахстан | 10 мин | 2 | – | 0 |');
    expect(en).toContain('| 2026-04-02 | 2 | 0 | 2 |');
    expect(en).toContain('| Kazakhstan | 10 min | 2 | – | 0 |');
    expect(ru).not.toMatch(/\b(Incidents|Summary|Resolved|State)\b/);
    const numbers = (md: string) => md.match(/(?<=\| )\d+(?= \|)/g);
    expect(numbers(ru)).toEqual(numbers(en));
    for (const reported of ['Phishing | wave against banks &lt;script&gt;', 'CVE-2026-12345']) {
      expect(ru).toContain(reported);
    }
  });

  it('formats durations for people in both languages', () => {
    expect(formatDuration(null, 'en')).toBe('–');
    expect(formatDuration(42, 'en')).toBe('42 s');
    expect(formatDuration(3599, 'en')).toBe('59 min');
    expect(formatDuration(3 * 3600 + 5 * 60, 'en')).toBe('3 h 05 min');
    expect(formatDuration(2 * 86400 + 4 * 3600 + 59, 'en')).toBe('2 d 4 h');
    expect(formatDuration(42, 'ru')).toBe('42 с');
    expect(formatDuration(3 * 3600 + 5 * 60, 'ru')).toBe('3 ч 05 мин');
    expect(formatDuration(2 * 86400 + 4 * 3600 + 59, 'ru')).toBe('2 д 4 ч');
  });
});

/** The figures v2 adds: incidents per day by reporting state, times per state. */
function withV2Figures(c: ReportContent): ReportContent {
  const none = { count: 0, medianSeconds: null, p90Seconds: null };
  return {
    ...c,
    counts: {
      ...c.counts,
      daily: [
        { date: '2026-04-01', count: 1, byReportingState: [{ key: 'RU', count: 1 }] },
        { date: '2026-04-02', count: 2, byReportingState: [{ key: 'BY', count: 2 }] },
        { date: '2026-04-03', count: 0, byReportingState: [] },
      ],
    },
    timings: {
      acknowledgement: {
        ...c.timings.acknowledgement,
        byState: [{ state: 'KZ', ...stats(2, 600, 900) }],
      },
      resolution: { ...c.timings.resolution, byState: [{ state: 'KZ', ...none }] },
    },
  };
}
