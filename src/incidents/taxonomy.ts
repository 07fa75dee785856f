import rsit from './data/rsit.json' with { type: 'json' };

/** RSIT `class/type` pairs from the ENISA taxonomy (data/rsit.json, CC0). */
export const CATEGORIES: readonly string[] = rsit.values.flatMap((group) =>
  group.entry.map((entry) => `${group.predicate}/${entry.value}`),
);

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

export const STATUSES = [
  'new',
  'triaged',
  'in_progress',
  'resolved',
  'closed',
  'rejected',
  'duplicate',
] as const;

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
