import { renderEmail } from './email.template.js';

describe('renderEmail', () => {
  const event = {
    id: 'e1',
    type: 'incident.routed',
    occurredAt: '2026-03-01T12:00:00.000Z',
    data: {
      incident: {
        id: 'i1',
        reference: 'CCC-2026-000042',
        title: '<script>x</script>',
        category: 'fraud/phishing',
        severity: 'high',
        tlp: 'TLP:AMBER+STRICT',
        sector: 'finance',
        reportingState: 'BY',
        status: 'new',
      },
    },
  };

  it('writes English with labels, the TLP banner first', () => {
    const { subject, text, html } = renderEmail(event, 'en');
    expect(subject).toBe('[CCC] TLP:AMBER+STRICT New incident CCC-2026-000042: <script>x</script>');
    expect(text.split('\n')[0]).toMatch(/^TLP:AMBER\+STRICT — Limited disclosure/);
    expect(text).toContain('Category (RSIT): Fraud: Phishing (fraud/phishing)');
    expect(text).toContain('Severity: High');
    expect(text).toContain('Reported by: Belarus');
    expect(text).toContain('Title: <script>x</script>');
    expect(text).toContain('"reference": "CCC-2026-000042"');
    expect(html.indexOf('TLP:AMBER+STRICT —')).toBeLessThan(html.indexOf('<table>'));
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('writes Russian with Russian labels; the codes stay in the event', () => {
    const { subject, text, html } = renderEmail(event, 'ru');
    expect(subject).toBe(
      '[CCC] TLP:AMBER+STRICT Новый инцидент CCC-2026-000042: <script>x</script>',
    );
    expect(text.split('\n')[0]).toMatch(/^TLP:AMBER\+STRICT — Ограниченное раскрытие/);
    expect(text).toContain('Категория (RSIT): Мошенничество: Фишинг (fraud/phishing)');
    expect(text).toContain('Критичность: Высокий');
    expect(text).toContain('Отрасль: Финансы');
    expect(text).toContain('Сообщило: Беларусь');
    // The names the console shows (GET /api/v1/taxonomy, src/vocabulary/labels.ts).
    expect(text).toContain('Статус: Новый');
    expect(text).toContain('"category": "fraud/phishing"');
    expect(html).toContain('<html lang="ru">');
  });

  it('copes with events that carry no incident', () => {
    const { subject, text } = renderEmail({ ...event, type: 'report.published', data: {} }, 'ru');
    expect(subject).toBe('[CCC] Готов новый отчёт об обмене опытом');
    expect(text.startsWith('TLP')).toBe(false);
  });
});
