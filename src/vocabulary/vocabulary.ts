/**
 * The words every module shares, written once: incident statuses, severities, TLP labels,
 * sectors, observable types, RSIT categories (rsit.ts) and the SLA arithmetic; their English
 * and Russian names are in labels.ts. A leaf: it imports nothing but its own data, so config,
 * intake, routing, escalation, reports and the taxonomy route can all use it without
 * depending on each other.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** TLP 2.0 labels. */
export const TLPS = ['TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN', 'TLP:CLEAR'] as const;
/** Labels every member state may read. */
export const COMMUNITY_TLPS = ['TLP:GREEN', 'TLP:CLEAR'] as const;

export const SECTORS = [
  'energy',
  'finance',
  'government',
  'defence',
  'telecom',
  'transport',
  'health',
  'water',
  'education',
  'other',
] as const;
export type Sector = (typeof SECTORS)[number];

export const OBSERVABLE_TYPES = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
  'cve',
  'asn',
] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

/** The states of one member state's dispatch of an incident. */
export const DISPATCH_STATUSES = ['pending', 'notified', 'acknowledged'] as const;

export const STATUSES = [
  'new',
  'triaged',
  'in_progress',
  'resolved',
  'closed',
  'rejected',
  'duplicate',
] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses in which nobody waits for an acknowledgement any more: escalation stops. */
export const TERMINAL_STATUSES: readonly Status[] = ['resolved', 'closed', 'rejected', 'duplicate'];

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Statuses of an incident that carries a resolution (what reports count as resolved). */
export const RESOLVED_STATUSES: readonly Status[] = ['resolved', 'closed'];

/** `CCC_SLA_ACK_SECONDS`: the acknowledgement period of each severity, in seconds. */
export type SlaPeriods = Record<Severity, number>;

/** The acknowledgement period of a severity, in seconds. */
export function periodSeconds(sla: SlaPeriods, severity: string): number {
  const seconds = (sla as Record<string, number | undefined>)[severity];
  if (seconds === undefined) throw new Error(`No SLA period for severity "${severity}"`);
  return seconds;
}

/**
 * The same lookup in SQL, for a severity only the statement knows (a joined incident row):
 * `slaJson` is `JSON.stringify(sla)` passed as a parameter.
 */
export function periodSecondsSql(slaJsonParam: string, severityExpr: string): string {
  return `(${slaJsonParam}::jsonb ->> (${severityExpr}))::int`;
}

/**
 * A pending deadline after a severity change: one new period after the last escalation,
 * or after the dispatch was created when it has not escalated yet.
 */
export function recomputedDeadline(
  createdAt: Date,
  lastEscalatedAt: Date | null,
  period: number,
): Date {
  const base = lastEscalatedAt ?? createdAt;
  return new Date(base.getTime() + period * 1000);
}

/** Parses `critical=900,high=3600,...`; null unless every severity has a period ≥ 1 s. */
export function parseSla(spec: string): SlaPeriods | null {
  const out: Partial<SlaPeriods> = {};
  for (const part of spec.split(',')) {
    const m = /^\s*(\w+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m || !(SEVERITIES as readonly string[]).includes(m[1])) return null;
    const seconds = Number(m[2]);
    if (seconds < 1) return null;
    out[m[1] as Severity] = seconds;
  }
  return SEVERITIES.every((s) => out[s] !== undefined) ? (out as SlaPeriods) : null;
}
