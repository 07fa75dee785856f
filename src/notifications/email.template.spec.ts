import { renderEmail } from './email.template.js';

describe('renderEmail', () => {
  const event = {
    id: 'e1',
    type: 'incident.routed',
    occurredAt: '2026-03-01T12:00:00.000Z',
    data: { incident: { id: 'i1', reference: 'CCC-2026-000042', title: '<script>x</script>' } },
  };

  it('names the event and reference in the subject', () => {
    expect(renderEmail(event).subject).toBe('[CCC] incident.routed CCC-2026-000042');
    expect(renderEmail({ ...event, data: {} }).subject).toBe('[CCC] incident.routed');
  });

  it('carries the summary in text and escapes it in HTML', () => {
    const { text, html } = renderEmail(event);
    expect(text).toContain('Title: <script>x</script>');
    expect(text).toContain('"reference": "CCC-2026-000042"');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });
});
