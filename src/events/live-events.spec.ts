import { coalesce, EventLog, LiveEvent, parsePayload, toSse } from './live-events.js';

const ev = (id: string, type: LiveEvent['type'], incidentId = 'i1'): LiveEvent => ({
  id,
  type,
  incidentId,
  at: '2026-11-29T00:00:00.000Z',
});

describe('live events', () => {
  it('keeps only the last event per type and subject, at its place', () => {
    const log = new EventLog(60_000, 100);
    const added = log.append([
      ev('1', 'incident.updated'),
      ev('2', 'comment.added'),
      ev('3', 'incident.updated', 'i2'),
      ev('4', 'incident.updated'),
    ]);
    expect(coalesce(added).map((l) => l.event.id)).toEqual(['2', '3', '4']);
  });

  it('answers what came after an id, and null for an id it does not hold', () => {
    const log = new EventLog(60_000, 100);
    log.append([
      ev('7', 'incident.created'),
      ev('5', 'incident.updated'),
      ev('9', 'comment.added'),
    ]);
    // Commit order, not id order: 5 committed after 7.
    expect(log.after('7')!.map((l) => l.event.id)).toEqual(['5', '9']);
    expect(log.after('9')).toEqual([]);
    expect(log.after('8')).toBeNull();
  });

  it('forgets events older than it keeps, or beyond its size', () => {
    const log = new EventLog(1_000, 2);
    log.append([ev('1', 'incident.created')], 0);
    log.append([ev('2', 'incident.created')], 500);
    expect(log.after('1', 900)!.map((l) => l.event.id)).toEqual(['2']);
    expect(log.after('1', 1_200)).toBeNull();
    log.append([ev('3', 'incident.created'), ev('4', 'incident.created')], 1_300);
    expect(log.after('2', 1_300)).toBeNull();
    expect(log.head).toBe(4);
  });

  it('drops payloads it does not understand', () => {
    expect(parsePayload('not json')).toEqual([]);
    expect(parsePayload('{"id":"1"}')).toEqual([]);
    expect(parsePayload('[{"id":"1","type":"incident.secret","at":"x"}]')).toEqual([]);
    expect(parsePayload(JSON.stringify([ev('1', 'incident.created')]))).toHaveLength(1);
  });

  it('writes ids only', () => {
    expect(toSse(ev('12', 'comment.added'))).toBe(
      'id: 12\ndata: {"type":"comment.added","incidentId":"i1","at":"2026-11-29T00:00:00.000Z"}\n\n',
    );
    expect(toSse({ id: '3', type: 'report.ready', reportId: 'r', at: 't' })).toBe(
      'id: 3\ndata: {"type":"report.ready","reportId":"r","at":"t"}\n\n',
    );
  });
});
