import { applyQuick, fromSearch, NO_FILTERS, toSearch } from './filters.js';

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
});
