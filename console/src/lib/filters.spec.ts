import {
  analystQuickFilters,
  applyQuick,
  fromSearch,
  NO_FILTERS,
  quickOf,
  toSearch,
} from './filters.js';

describe('filters in the URL', () => {
  it('round-trips through the query string', () => {
    const filters = {
      ...NO_FILTERS,
      status: ['new', 'triaged'],
      tlp: ['TLP:AMBER'],
      overdue: true,
      q: 'ransomware wave',
      sort: 'priority',
    };
    const search = toSearch(filters);
    expect(search).toBe(
      '?status=new%2Ctriaged&tlp=TLP%3AAMBER&overdue=true&q=ransomware+wave&sort=priority',
    );
    expect(fromSearch(search)).toEqual(filters);
  });

  it('drops what it cannot use', () => {
    expect(fromSearch('?sort=drop-table&status=,,&evil=1&overdue=yes')).toEqual(NO_FILTERS);
    expect(toSearch(NO_FILTERS)).toBe('');
  });

  it('has the quick filters of the queue', () => {
    expect(toSearch(applyQuick('newUnassigned'))).toBe('?status=new&assignee=none');
    expect(toSearch(applyQuick('mine'))).toBe('?assignee=me');
  });

  it("has an analyst's quick filters for its own state, and knows which one is on", () => {
    const quick = analystQuickFilters('BY');
    expect(toSearch(applyQuick('ourAck', quick))).toBe('?awaitingAck=true&sort=deadlineAt');
    expect(toSearch(applyQuick('sharedWithUs', quick))).toBe('?dispatchedTo=BY');
    expect(toSearch(applyQuick('reportedByUs', quick))).toBe('?reportingState=BY');
    expect(quickOf(fromSearch('?reportingState=BY'), quick)).toBe('reportedByUs');
    expect(quickOf(fromSearch(''), quick)).toBe('all');
    expect(quickOf(fromSearch('?reportingState=BY&q=x'), quick)).toBeUndefined();
  });
});
