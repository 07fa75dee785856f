import rsit from './data/rsit.json' with { type: 'json' };

/** RSIT `class/type` pairs from the ENISA taxonomy (data/rsit.json, CC0). */
export const CATEGORIES: readonly string[] = rsit.values.flatMap((group) =>
  group.entry.map((entry) => `${group.predicate}/${entry.value}`),
);

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
