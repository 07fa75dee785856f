/** Renders one event as an e-mail: a subject, a plain-text part and an HTML part. */
export function renderEmail(event: Record<string, unknown>): {
  subject: string;
  text: string;
  html: string;
} {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const incident = (data.incident ?? {}) as Record<string, unknown>;
  const reference = typeof incident.reference === 'string' ? incident.reference : '';
  const subject = `[CCC] ${String(event.type)}${reference ? ` ${reference}` : ''}`;
  const summary: [string, string][] = [
    ['Event', String(event.type)],
    ['Event id', String(event.id)],
    ['Occurred at', String(event.occurredAt)],
  ];
  for (const key of ['reference', 'title', 'severity', 'tlp', 'category', 'status']) {
    const value = incident[key];
    if (typeof value === 'string') summary.push([key[0].toUpperCase() + key.slice(1), value]);
  }
  const json = JSON.stringify(event, null, 2);
  const text = [...summary.map(([k, v]) => `${k}: ${v}`), '', 'Full event:', json, ''].join('\n');
  const rows = summary
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const html = `<!doctype html><html><body><h2>${escapeHtml(subject)}</h2><table>${rows}</table><h3>Full event</h3><pre>${escapeHtml(json)}</pre></body></html>`;
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
