import { TimelineItem, timelineItemFor } from './timeline-view.js';

const at = new Date('2026-01-01T00:00:00Z');
const item = (type: string, data: Record<string, unknown>): TimelineItem => ({
  id: 'e',
  type,
  actor: 'system',
  at,
  data,
});

describe('timelineItemFor', () => {
  const notified = item('notified', { state: 'KZ', channel: 'webhook', deliveryId: 'd1' });
  const routed = item('routed', { dispatchedTo: ['KZ'], suggested: ['RU'] });

  it('shows the coordination center everything', () => {
    expect(timelineItemFor('CCC', 'BY', notified)).toBe(notified);
    expect(timelineItemFor('CCC', 'BY', routed)).toBe(routed);
  });

  it('drops delivery internals for every member state', () => {
    expect(timelineItemFor('KZ', 'BY', notified).data).toEqual({ state: 'KZ' });
    expect(timelineItemFor('BY', 'BY', notified).data).toEqual({ state: 'KZ' });
  });

  it('keeps TLP-withheld suggestions for the reporting state only', () => {
    expect(timelineItemFor('BY', 'BY', routed).data).toEqual(routed.data);
    expect(timelineItemFor('KZ', 'BY', routed).data).toEqual({ dispatchedTo: ['KZ'] });
  });

  it('leaves other events untouched', () => {
    const comment = item('commented', { commentId: 'c', body: 'hello' });
    const transitioned = item('transitioned', { from: 'new', to: 'rejected', note: 'spam' });
    expect(timelineItemFor('KZ', 'BY', comment)).toBe(comment);
    expect(timelineItemFor('KZ', 'BY', transitioned)).toBe(transitioned);
  });

  it('does not change the stored item', () => {
    timelineItemFor('KZ', 'BY', notified);
    expect(notified.data).toEqual({ state: 'KZ', channel: 'webhook', deliveryId: 'd1' });
  });
});
