import { useQuery } from '@tanstack/react-query';
import { api, ApiError, Taxonomy } from './api';
import { useLang } from './i18n';

/** The contract's fixed vocabularies (CONTRACT: Incidents); their words are in the catalogues. */
export const STATES = ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'] as const;
export const STATUSES = [
  'new',
  'triaged',
  'in_progress',
  'resolved',
  'closed',
  'rejected',
  'duplicate',
];
export const SEVERITIES = ['critical', 'high', 'medium', 'low'];
export const TLPS = ['TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN', 'TLP:CLEAR'];
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
];

/**
 * RSIT classes and categories with their names in both languages, from `GET /api/v1/taxonomy`;
 * `null` from a service that does not offer it yet (the console then takes the category as
 * typed text).
 */
export function useTaxonomy() {
  return useQuery({
    queryKey: ['taxonomy'],
    staleTime: Infinity,
    queryFn: async () => {
      try {
        return await api<Taxonomy>('GET', '/taxonomy');
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
}

/** An RSIT category's name in the chosen language (`Fraud: Phishing`), or its code alone. */
export function useCategoryName(): (value: string) => string {
  const { lang } = useLang();
  const taxonomy = useTaxonomy();
  return (value) => {
    for (const c of taxonomy.data?.rsit.classes ?? []) {
      const found = c.categories.find((t) => t.value === value);
      if (found) return `${c.label[lang]}: ${found.label[lang]}`;
    }
    return '';
  };
}
