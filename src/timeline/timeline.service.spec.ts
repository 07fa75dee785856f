import { ChangeSet } from '../common/change-set.js';
import { timelineFragment } from './timeline.service.js';

describe('timelineFragment', () => {
  it('writes entries in order, each its own microsecond, data holes filled by SQL', () => {
    const cs = new ChangeSet();
    timelineFragment(
      cs,
      (hole) => [
        { incidentId: 'i1', type: 'created', actor: 'a', data: { reference: hole('reference') } },
        { incidentId: 'i1', type: 'routed', actor: 'a', data: { dispatchedTo: ['KZ'] } },
      ],
      { from: 'ref', values: { reference: 'ref.reference' } },
    );
    const { text, values } = cs.statement();
    expect(text).toContain('FROM ref, LATERAL (VALUES (1, $1::uuid, $2::text, $3::text');
    expect(text).toContain('($4::text || (ref.reference) || $5::text)::jsonb)');
    expect(text).toContain("clock_timestamp() + (e.n - 1) * interval '1 microsecond'");
    expect(values).toEqual([
      'i1',
      'created',
      'a',
      '{"reference":"',
      '"}',
      'i1',
      'routed',
      'a',
      '{"dispatchedTo":["KZ"]}',
    ]);
  });

  it('adds nothing for no entries, and needs SQL for every hole', () => {
    const cs = new ChangeSet();
    timelineFragment(cs, []);
    expect(cs.empty).toBe(true);
    expect(() =>
      timelineFragment(new ChangeSet(), (hole) => [
        { incidentId: 'i', type: 'created', actor: 'a', data: { reference: hole('reference') } },
      ]),
    ).toThrow(/no SQL for hole reference/);
  });
});
