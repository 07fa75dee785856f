import { ChangeSet } from '../common/change-set.js';
import { outboxFragment } from './outbox.service.js';

describe('outboxFragment', () => {
  const entries = [
    { type: 'incident.updated' as const, party: 'KZ', incidentId: 'i1', data: { a: 1 } },
    { type: 'incident.updated' as const, party: 'CCC', incidentId: 'i1', data: { a: 2 } },
  ];

  it('writes one row per party as arrays, with the body and a NOTIFY at commit', () => {
    const cs = new ChangeSet();
    outboxFragment(cs, entries);
    const { text, values } = cs.statement();
    expect(text).toMatch(/^WITH outbox AS \(INSERT INTO outbox/);
    expect(text).toContain("(SELECT pg_notify('ccc_outbox', '') LIMIT 1) IS NULL");
    // The statement text does not depend on the number of rows.
    const one = new ChangeSet();
    outboxFragment(one, entries.slice(0, 1));
    expect(one.statement().text).toBe(text);
    // The event time, then the body pieces around its hole, one array element per row.
    const [occurredAt, before, after] = values as [string, string[], string[]];
    const bodies = [0, 1].map((i) => JSON.parse(before[i] + occurredAt + after[i]));
    expect(bodies[0].occurredAt).toBe(occurredAt);
    expect(bodies.map((b) => [b.type, b.data])).toEqual([
      ['incident.updated', { a: 1 }],
      ['incident.updated', { a: 2 }],
    ]);
    expect(bodies[0].id).not.toBe(bodies[1].id);
    expect(values).toContainEqual(['KZ', 'CCC']);
  });

  it('gates rows and NOTIFY on a FROM item and takes the event time from SQL', () => {
    const cs = new ChangeSet();
    outboxFragment(cs, entries, { from: 'ref', values: { occurredAt: 'ref.created_at' } });
    const { text } = cs.statement();
    expect(text).toContain('FROM ref, unnest(');
    expect(text).toContain('(ref.created_at)');
    expect(text).toContain("(SELECT pg_notify('ccc_outbox', '') FROM ref LIMIT 1) IS NULL");
  });

  it('adds nothing for no entries', () => {
    const cs = new ChangeSet();
    outboxFragment(cs, []);
    expect(cs.empty).toBe(true);
  });
});
