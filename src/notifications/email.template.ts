import { type Locale, type MessageKey, t } from '../i18n/i18n.js';
import {
  categoryLabel,
  sectorLabel,
  severityLabel,
  stateLabel,
  statusLabel,
  tlpLabel,
  tlpLevel,
} from '../i18n/labels.js';

/** Banner colours of TLP 2.0 (FIRST): text on black. */
const TLP_COLOURS: Record<string, string> = {
  red: '#FF2B2B',
  amberStrict: '#FFC000',
  amber: '#FFC000',
  green: '#33FF00',
  clear: '#FFFFFF',
};

const EVENTS: Record<string, string> = {
  'incident.routed': 'routed',
  'incident.escalated': 'escalated',
  'incident.updated': 'updated',
  'report.published': 'published',
};

/**
 * Renders one event as an e-mail in the contact's language: a subject, a plain-text part and
 * an HTML part. The TLP 2.0 banner comes first; category, severity, sector, status and states
 * are shown by their labels; the event as webhooks get it (codes only) closes the message.
 */
export function renderEmail(
  event: Record<string, unknown>,
  locale: Locale = 'en',
): { subject: string; text: string; html: string } {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const incident = (data.incident ?? {}) as Record<string, unknown>;
  const dispatch = (data.dispatch ?? {}) as Record<string, unknown>;
  const report = (data.report ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const kind = EVENTS[String(event.type)] ?? 'other';
  const tlp = str(incident.tlp);
  const values = {
    event: kind,
    tlp,
    reference: str(incident.reference),
    title: str(incident.title),
    status: statusLabel(str(incident.status), locale),
    level: typeof dispatch.escalationLevel === 'number' ? String(dispatch.escalationLevel) : '',
  };
  const subject = t(locale, 'email.subject', values).replace(/\s+/g, ' ').trim();
  const intro = t(locale, 'email.intro', values);
  const banner = tlp ? t(locale, 'tlp.banner', { level: tlpLevel(tlp), tlp }) : null;

  const rows: [MessageKey, string][] = [];
  const add = (key: MessageKey, value: string) => value && rows.push([key, value]);
  add('email.field.reference', str(incident.reference));
  add('email.field.title', str(incident.title));
  if (incident.category) {
    add(
      'email.field.category',
      `${categoryLabel(str(incident.category), locale)} (${str(incident.category)})`,
    );
  }
  if (incident.severity) add('email.field.severity', severityLabel(str(incident.severity), locale));
  if (tlp) add('email.field.tlp', tlpLabel(tlp, locale));
  if (incident.sector) add('email.field.sector', sectorLabel(str(incident.sector), locale));
  if (incident.reportingState) {
    add('email.field.reportingState', stateLabel(str(incident.reportingState), locale));
  }
  if (incident.status) add('email.field.status', values.status);
  add('email.field.report', str(report.url));
  add('email.field.event', String(event.type));
  add('email.field.eventId', String(event.id));
  add('email.field.occurredAt', String(event.occurredAt));
  const fields = rows.map(([key, value]) => [t(locale, key), value] as const);

  const json = JSON.stringify(event, null, 2);
  const footer = t(locale, 'email.footer');
  const text = [
    ...(banner ? [banner, ''] : []),
    intro,
    '',
    ...fields.map(([k, v]) => `${k}: ${v}`),
    '',
    t(locale, 'email.fullEvent'),
    json,
    '',
    footer,
    '',
  ].join('\n');

  const colour = TLP_COLOURS[tlpLevel(tlp)] ?? '#FFFFFF';
  const bannerHtml = banner
    ? `<p style="background:#000;color:${colour};font-family:monospace;font-weight:bold;padding:8px">${escapeHtml(banner)}</p>`
    : '';
  const table = fields
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const html =
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>` +
    `${bannerHtml}<p>${escapeHtml(intro)}</p><table>${table}</table>` +
    `<p>${escapeHtml(t(locale, 'email.fullEvent'))}</p><pre>${escapeHtml(json)}</pre>` +
    `<p><small>${escapeHtml(footer)}</small></p></body></html>`;
  return { subject, text, html };
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
