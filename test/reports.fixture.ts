import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * Incidents for April 2026 whose report numbers are worked out by hand below. Restricted
 * (RED/AMBER) incidents carry unique marker strings; so do GREEN ones, which a public
 * report must not show either.
 */
export const PERIOD = { from: '2026-04-01', to: '2026-05-01' };

const tag = randomBytes(4).toString('hex');
export const MARK = {
  redTitle: `mkredtitle${tag}`,
  redDescription: `mkreddesc${tag}`,
  redSummary: `mkredsummary${tag}`,
  redLessons: `mkredlessons${tag}`,
  redDomain: `mkreddomain${tag}.example`,
  amberTitle: `mkambertitle${tag}`,
  amberLessons: `mkamberlessons${tag}`,
  amberUrl: `http://mkamberurl${tag}.example/path`,
  strictTitle: `mkstricttitle${tag}`,
  strictLessons: `mkstrictlessons${tag}`,
  // A transnational hash reported only in restricted incidents (RED RU + AMBER KG).
  restrictedHash: `${tag}${'e'.repeat(56)}`,
  greenTitle: `mkgreentitle${tag}`,
  greenLessons: `mkgreenlessons${tag}`,
  greenIp: '203.0.113.10',
  clearTitle: `mkcleartitle${tag}`,
  clearLessons: `mkclearlessons${tag}`,
};
/** Markers a community report must not contain. */
export const RESTRICTED_MARKERS = [
  MARK.redTitle,
  MARK.redDescription,
  MARK.redSummary,
  MARK.redLessons,
  MARK.redDomain,
  MARK.amberTitle,
  MARK.amberLessons,
  'mkamberurl' + tag,
  MARK.strictTitle,
  MARK.strictLessons,
  MARK.restrictedHash,
];
export const GREEN_MARKERS = [MARK.greenTitle, MARK.greenLessons];

interface Row {
  n: number;
  state: string;
  category: string;
  severity: string;
  sector: string;
  tlp: string;
  status: string;
  created: string;
  resolved?: string;
  title?: string;
  description?: string;
  summary?: string;
  lessons?: string;
  observables?: [string, string][];
  /** [state, acknowledged after creation (s) or null, escalation level] */
  dispatches?: [string, number | null, number][];
}

export const reference = (n: number) => `CCC-2026-${String(900000 + n)}`;

const ROWS: Row[] = [
  {
    n: 1,
    state: 'BY',
    category: 'fraud/phishing',
    severity: 'high',
    sector: 'finance',
    tlp: 'TLP:GREEN',
    status: 'resolved',
    created: '2026-04-02T10:00:00Z',
    resolved: '2026-04-02T12:00:00Z',
    title: MARK.greenTitle,
    summary: 'Green phishing kit taken down',
    lessons: MARK.greenLessons,
    observables: [
      ['ipv4', MARK.greenIp],
      ['ipv4', '198.51.100.5'],
      ['ipv4', '203.0.113.99'],
    ],
    dispatches: [['KZ', 600, 0]],
  },
  {
    n: 2,
    state: 'BY',
    category: 'fraud/phishing',
    severity: 'high',
    sector: 'finance',
    tlp: 'TLP:CLEAR',
    status: 'closed',
    created: '2026-04-03T08:00:00Z',
    resolved: '2026-04-03T12:00:00Z',
    title: MARK.clearTitle,
    summary: 'Clear phishing domains suspended',
    lessons: MARK.clearLessons,
    observables: [
      ['domain', 'shared-clear.example'],
      ['ipv4', '198.51.100.5'],
      ['cve', 'CVE-2026-1234'],
    ],
    dispatches: [['RU', 1200, 1]],
  },
  {
    n: 3,
    state: 'RU',
    category: 'availability/ddos',
    severity: 'critical',
    sector: 'telecom',
    tlp: 'TLP:RED',
    status: 'resolved',
    created: '2026-04-05T00:00:00Z',
    resolved: '2026-04-05T01:00:00Z',
    title: MARK.redTitle,
    description: MARK.redDescription,
    summary: MARK.redSummary,
    lessons: MARK.redLessons,
    observables: [
      ['ipv4', MARK.greenIp],
      ['domain', MARK.redDomain],
      ['sha256', MARK.restrictedHash],
    ],
    dispatches: [['BY', 300, 0]],
  },
  {
    n: 4,
    state: 'RU',
    category: 'availability/ddos',
    severity: 'critical',
    sector: 'energy',
    tlp: 'TLP:AMBER',
    status: 'in_progress',
    created: '2026-04-06T00:00:00Z',
    title: MARK.amberTitle,
    observables: [
      ['domain', MARK.redDomain],
      ['url', MARK.amberUrl],
    ],
    dispatches: [
      ['KZ', 1800, 1],
      ['AM', 3600, 2],
    ],
  },
  {
    n: 5,
    state: 'KZ',
    category: 'intrusions/system-compromise',
    severity: 'medium',
    sector: 'government',
    tlp: 'TLP:AMBER+STRICT',
    status: 'resolved',
    created: '2026-04-07T00:00:00Z',
    resolved: '2026-04-08T00:00:00Z',
    title: MARK.strictTitle,
    summary: 'Strict summary',
    lessons: MARK.strictLessons,
    observables: [['url', MARK.amberUrl]],
    dispatches: [['RU', null, 2]],
  },
  {
    n: 6,
    state: 'KZ',
    category: 'malicious-code/infected-system',
    severity: 'low',
    sector: 'health',
    tlp: 'TLP:GREEN',
    status: 'new',
    created: '2026-04-10T00:00:00Z',
    observables: [
      ['domain', 'shared-clear.example'],
      ['asn', '64500'],
    ],
    dispatches: [['TJ', 3600, 0]],
  },
  {
    n: 7,
    state: 'AM',
    category: 'fraud/phishing',
    severity: 'medium',
    sector: 'finance',
    tlp: 'TLP:CLEAR',
    status: 'rejected',
    created: '2026-04-11T00:00:00Z',
    observables: [['domain', 'shared-clear.example']],
  },
  {
    n: 8,
    state: 'TJ',
    category: 'malicious-code/infected-system',
    severity: 'low',
    sector: 'education',
    tlp: 'TLP:GREEN',
    status: 'triaged',
    created: '2026-04-12T00:00:00Z',
    observables: [['asn', '64500']],
    dispatches: [['KG', 7200, 1]],
  },
  {
    // The last millisecond of the period is inside it.
    n: 9,
    state: 'BY',
    category: 'availability/ddos',
    severity: 'high',
    sector: 'telecom',
    tlp: 'TLP:GREEN',
    status: 'duplicate',
    created: '2026-04-30T23:59:59.999Z',
  },
  {
    n: 10,
    state: 'KG',
    category: 'fraud/phishing',
    severity: 'critical',
    sector: 'finance',
    tlp: 'TLP:AMBER',
    status: 'resolved',
    created: '2026-04-25T00:00:00Z',
    resolved: '2026-04-25T00:30:00Z',
    title: MARK.amberTitle,
    summary: 'Amber summary',
    lessons: MARK.amberLessons,
    observables: [
      ['sha256', MARK.restrictedHash],
      ['cve', 'CVE-2026-1234'],
    ],
    dispatches: [['RU', 60, 0]],
  },
  {
    // Opened in March, resolved in April: counts as resolved, not as opened.
    n: 11,
    state: 'BY',
    category: 'fraud/phishing',
    severity: 'high',
    sector: 'finance',
    tlp: 'TLP:GREEN',
    status: 'resolved',
    created: '2026-03-28T00:00:00Z',
    resolved: '2026-04-01T00:00:00Z',
    summary: 'Old case closed',
    lessons: 'Register lookalike domains',
    dispatches: [['KZ', 100, 3]],
  },
  {
    // Opened at the exclusive end of the period: outside it.
    n: 12,
    state: 'RU',
    category: 'fraud/phishing',
    severity: 'low',
    sector: 'finance',
    tlp: 'TLP:GREEN',
    status: 'new',
    created: '2026-05-01T00:00:00Z',
    observables: [['ipv4', '203.0.113.99']],
    dispatches: [['BY', 10, 0]],
  },
  {
    // Rejected in March: not a rejection of the period.
    n: 13,
    state: 'AM',
    category: 'fraud/phishing',
    severity: 'low',
    sector: 'finance',
    tlp: 'TLP:CLEAR',
    status: 'rejected',
    created: '2026-03-20T00:00:00Z',
  },
];

/** Loads the fixture straight into the tables, as intake and triage would have written it. */
export async function loadFixture(db: pg.Pool): Promise<Record<number, string>> {
  const ids: Record<number, string> = {};
  for (const r of ROWS) {
    const { rows } = await db.query(
      `INSERT INTO incidents (reference, title, description, category, severity, tlp, sector,
         reporting_state, status, resolution_summary, lessons_learned, resolved_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
      [
        reference(r.n),
        r.title ?? `Incident ${r.n}`,
        r.description ?? null,
        r.category,
        r.severity,
        r.tlp,
        r.sector,
        r.state,
        r.status,
        r.summary ?? null,
        r.lessons ?? null,
        r.resolved ?? null,
        r.created,
      ],
    );
    const id = rows[0].id as string;
    ids[r.n] = id;
    for (const [position, [type, value]] of (r.observables ?? []).entries()) {
      await db.query(
        'INSERT INTO incident_observables (incident_id, position, type, value) VALUES ($1, $2, $3, $4)',
        [id, position, type, value],
      );
    }
    for (const [state, ackAfter, level] of r.dispatches ?? []) {
      await db.query(
        `INSERT INTO dispatches (incident_id, state, status, acknowledged_at, escalation_level, created_at)
         VALUES ($1, $2, $3, $4::timestamptz + make_interval(secs => $5), $6, $4)`,
        [id, state, ackAfter === null ? 'notified' : 'acknowledged', r.created, ackAfter, level],
      );
    }
  }
  const rejections: [number, string][] = [
    [7, '2026-04-12T00:00:00Z'],
    [13, '2026-03-30T00:00:00Z'],
  ];
  for (const [n, at] of rejections) {
    await db.query(
      `INSERT INTO timeline_events (incident_id, type, actor, at, data)
       VALUES ($1, 'transitioned', 'coordinator:CCC:test', $2, $3)`,
      [ids[n], at, JSON.stringify({ from: 'new', to: 'rejected', note: 'not an incident' })],
    );
  }
  return ids;
}
