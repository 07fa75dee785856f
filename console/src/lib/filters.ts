/** The incident list's filters, as the URL carries them and the API takes them. */
export interface Filters {
  status: string[];
  severity: string[];
  tlp: string[];
  category: string[];
  reportingState: string[];
  dispatchedTo: string[];
  assignee?: string;
  awaitingAck?: boolean;
  overdue?: boolean;
  q?: string;
  sort?: string;
}

const LISTS = ['status', 'severity', 'tlp', 'category', 'reportingState', 'dispatchedTo'] as const;
const SORTS = ['-createdAt', 'priority', '-updatedAt', 'deadlineAt'];

export const NO_FILTERS: Filters = {
  status: [],
  severity: [],
  tlp: [],
  category: [],
  reportingState: [],
  dispatchedTo: [],
};

/** Reads filters from a query string; unknown keys and values it cannot use are dropped. */
export function fromSearch(search: string): Filters {
  const params = new URLSearchParams(search);
  const filters: Filters = { ...NO_FILTERS };
  for (const key of LISTS) {
    filters[key] = (params.get(key) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0 && v.length <= 100);
  }
  const assignee = params.get('assignee')?.trim();
  if (assignee) filters.assignee = assignee;
  if (params.get('awaitingAck') === 'true') filters.awaitingAck = true;
  if (params.get('overdue') === 'true') filters.overdue = true;
  const q = params.get('q')?.trim();
  if (q) filters.q = q.slice(0, 200);
  const sort = params.get('sort');
  if (sort && SORTS.includes(sort)) filters.sort = sort;
  return filters;
}

/** The query string for filters, in a fixed key order so equal filters give equal URLs. */
export function toSearch(filters: Filters): string {
  const params = new URLSearchParams();
  for (const key of LISTS) if (filters[key].length > 0) params.set(key, filters[key].join(','));
  if (filters.assignee) params.set('assignee', filters.assignee);
  if (filters.awaitingAck) params.set('awaitingAck', 'true');
  if (filters.overdue) params.set('overdue', 'true');
  if (filters.q) params.set('q', filters.q);
  if (filters.sort) params.set('sort', filters.sort);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The quick filters of the coordinators' triage queue (research §2.1). */
export const QUICK_FILTERS: Record<string, Partial<Filters>> = {
  newUnassigned: { status: ['new'], assignee: 'none' },
  mine: { assignee: 'me' },
  awaitingAck: { awaitingAck: true },
  overdue: { overdue: true },
};

/**
 * An analyst's queue (research S3): what waits for our acknowledgement, soonest deadline
 * first; what was shared with (dispatched to) our state; what we reported.
 */
export function analystQuickFilters(state: string): Record<string, Partial<Filters>> {
  return {
    ourAck: { awaitingAck: true, sort: 'deadlineAt' },
    sharedWithUs: { dispatchedTo: [state] },
    reportedByUs: { reportingState: [state] },
  };
}

export function applyQuick(
  name: string,
  quick: Record<string, Partial<Filters>> = QUICK_FILTERS,
): Filters {
  return { ...NO_FILTERS, ...quick[name] };
}

/** The quick filter these filters are exactly, if any. */
export function quickOf(
  filters: Filters,
  quick: Record<string, Partial<Filters>> = QUICK_FILTERS,
): string | undefined {
  const search = toSearch(filters);
  if (search === '') return 'all';
  return Object.keys(quick).find((name) => toSearch(applyQuick(name, quick)) === search);
}
