import { Api } from './support/api.js';
import { renderInChromium } from './support/chromium.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import {
  eventually,
  setContacts,
  WebhookReceiver,
  type Endpoint,
} from './support/webhook-receiver.js';
import { StixValidator } from './fixtures/stix/stix-validator.js';
import {
  GREEN_MARKERS,
  loadFixture,
  MARK,
  PERIOD,
  reference,
  RESTRICTED_MARKERS,
} from './reports.fixture.js';

const PARTIES = ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ', 'CCC'];

describe('Experience-sharing reports', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  let analyst: Api;
  let receiver: WebhookReceiver;
  const endpoints: Record<string, Endpoint> = {};
  const validator = new StixValidator();

  async function order(body: Record<string, unknown>, as: Api = coordinator) {
    const res = await as.post('/api/v1/reports', body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    return res.body.id as string;
  }

  async function settled(id: string) {
    return eventually(async () => {
      const res = await analyst.get(`/api/v1/reports/${id}`);
      return ['ready', 'failed'].includes(res.body.status) ? res.body : null;
    }, `report ${id} to finish`);
  }

  async function formats(id: string) {
    const json = await analyst.get(`/api/v1/reports/${id}?format=json`);
    const markdown = await analyst.get(`/api/v1/reports/${id}?format=markdown`);
    const markdownRu = await analyst.get(`/api/v1/reports/${id}?format=markdown&lang=ru`);
    const stix = await analyst.get(`/api/v1/reports/${id}?format=stix`);
    const htmlEn = await analyst.get(`/api/v1/reports/${id}?format=html&lang=en`);
    const htmlRu = await analyst.get(`/api/v1/reports/${id}?format=html&lang=ru`);
    expect([json.status, markdown.status, stix.status]).toEqual([200, 200, 200]);
    expect([htmlEn.status, htmlRu.status, markdownRu.status]).toEqual([200, 200, 200]);
    expect(htmlRu.headers.get('content-language')).toBe('ru');
    expect(markdownRu.headers.get('content-language')).toBe('ru');
    expect(htmlEn.headers.get('content-language')).toBe('en');
    // The page's own policy: its inline styles apply, no script runs, nothing loads.
    expect(htmlEn.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'unsafe-inline';.*sandbox$/,
    );
    expect(htmlEn.headers.get('content-type')).toMatch(/^text\/html/);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(markdown.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(stix.headers.get('content-type')).toBe('application/stix+json;version=2.1');
    return { json, markdown, markdownRu, stix, htmlEn, htmlRu };
  }

  beforeAll(async () => {
    env = await createTestEnv('reports');
    service = await startService(env);
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    analyst = admin.as(await admin.createKey('analyst', 'KZ'));
    receiver = await WebhookReceiver.start();
    for (const party of PARTIES) {
      endpoints[party] = receiver.endpoint();
      await setContacts(admin, party, [
        { type: 'webhook', url: endpoints[party].url, secret: endpoints[party].secret },
      ]);
    }
    await loadFixture(env.db);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  }, 60_000);

  describe('ordering', () => {
    it('lets only coordinators and admins order a report (403 for analysts)', async () => {
      const res = await analyst.post('/api/v1/reports', { ...PERIOD, audience: 'community' });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const { rows } = await env.db.query('SELECT count(*)::int AS n FROM reports');
      expect(rows[0].n).toBe(0);
    }, 60_000);

    it('validates the period and the audience', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ from: '2026-05-01', to: '2026-04-01', audience: 'public' }, 'to'],
        [{ from: '2026-04-01', to: '2026-04-01', audience: 'public' }, 'to'],
        [{ from: '2025-01-01', to: '2026-01-03', audience: 'public' }, 'to'],
        [{ from: '2026-02-30', to: '2026-04-01', audience: 'public' }, 'from'],
        [{ from: '2026-04-01T10:00', to: '2026-05-01', audience: 'public' }, 'from'],
        [{ from: '2026-04-01', to: '2026-05-01', audience: 'everyone' }, 'audience'],
        [{ from: '2026-04-01', to: '2026-05-01', audience: 'public', kind: 'weekly' }, 'kind'],
      ];
      for (const [body, field] of cases) {
        const res = await coordinator.post('/api/v1/reports', body);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ field })]),
        );
      }
      const { rows } = await env.db.query('SELECT count(*)::int AS n FROM reports');
      expect(rows[0].n).toBe(0);
    }, 60_000);

    it('answers 404 for unknown ids and non-UUIDs', async () => {
      expect(
        (await analyst.get('/api/v1/reports/7d1f6c3e-0000-4000-8000-000000000000')).status,
      ).toBe(404);
      expect((await analyst.get('/api/v1/reports/42')).status).toBe(404);
    }, 60_000);
  });

  describe('a community report of April 2026', () => {
    let id: string;
    let content: any;

    beforeAll(async () => {
      id = await order({ ...PERIOD, audience: 'community' });
      const view = await settled(id);
      expect(view).toMatchObject({ status: 'ready' });
      content = (await analyst.get(`/api/v1/reports/${id}?format=json`)).body;
    }, 60_000);

    it('reads as {id, kind, from, to, audience, status, createdAt, completedAt}', async () => {
      const res = await analyst.get(`/api/v1/reports/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id,
        kind: 'on-demand',
        from: '2026-04-01T00:00:00.000Z',
        to: '2026-05-01T00:00:00.000Z',
        audience: 'community',
        status: 'ready',
        createdAt: expect.any(String),
        completedAt: expect.any(String),
      });
    }, 60_000);

    it('counts incidents opened in [from, to) by state, class, category, severity, sector, TLP', () => {
      const asMap = (rows: { key: string; count: number }[]) =>
        Object.fromEntries(rows.filter((r) => r.count > 0).map((r) => [r.key, r.count]));
      expect(content.totals).toEqual({ opened: 10, resolved: 6, rejected: 1 });
      expect(asMap(content.counts.byReportingState)).toEqual({
        BY: 3,
        RU: 2,
        KZ: 2,
        AM: 1,
        TJ: 1,
        KG: 1,
      });
      expect(content.counts.byReportingState.map((r: any) => r.key)).toEqual([
        'AM',
        'BY',
        'KZ',
        'KG',
        'RU',
        'TJ',
      ]);
      expect(asMap(content.counts.byClass)).toEqual({
        fraud: 4,
        availability: 3,
        'malicious-code': 2,
        intrusions: 1,
      });
      expect(asMap(content.counts.byCategory)).toEqual({
        'fraud/phishing': 4,
        'availability/ddos': 3,
        'malicious-code/infected-system': 2,
        'intrusions/system-compromise': 1,
      });
      expect(asMap(content.counts.bySeverity)).toEqual({ critical: 3, high: 3, medium: 2, low: 2 });
      expect(asMap(content.counts.bySector)).toEqual({
        finance: 4,
        telecom: 2,
        energy: 1,
        government: 1,
        health: 1,
        education: 1,
      });
      expect(asMap(content.counts.byTlp)).toEqual({
        'TLP:GREEN': 4,
        'TLP:CLEAR': 2,
        'TLP:AMBER': 2,
        'TLP:RED': 1,
        'TLP:AMBER+STRICT': 1,
      });
      expect(asMap(content.counts.byStatus)).toEqual({
        resolved: 4,
        closed: 1,
        in_progress: 1,
        new: 1,
        rejected: 1,
        triaged: 1,
        duplicate: 1,
      });
    }, 60_000);

    it('computes median and p90 times to first acknowledgement and to resolution per severity', () => {
      const pick = (t: any) => ({
        all: [t.overall.count, t.overall.medianSeconds, t.overall.p90Seconds],
        ...Object.fromEntries(
          t.bySeverity.map((s: any) => [s.severity, [s.count, s.medianSeconds, s.p90Seconds]]),
        ),
      });
      // First acks (s): high 600, 1200; critical 60, 300, 1800 (of 1800 and 3600); low 3600, 7200.
      expect(pick(content.timings.acknowledgement)).toEqual({
        all: [7, 1200, 5040],
        critical: [3, 300, 1500],
        high: [2, 900, 1140],
        medium: [0, null, null],
        low: [2, 5400, 6840],
      });
      // Resolutions (s): high 7200, 14400, 345600; critical 3600, 1800; medium 86400.
      expect(pick(content.timings.resolution)).toEqual({
        all: [6, 10800, 216000],
        critical: [2, 2700, 3420],
        high: [3, 14400, 279360],
        medium: [1, 86400, 86400],
        low: [0, null, null],
      });
    }, 60_000);

    it('counts incidents per UTC day of the period by reporting state', () => {
      expect(content.counts.daily).toHaveLength(30);
      expect(content.counts.daily[0]).toEqual({
        date: '2026-04-01',
        count: 0,
        byReportingState: [],
      });
      const withAny = content.counts.daily
        .filter((d: any) => d.count > 0)
        .map((d: any) => [
          d.date,
          d.byReportingState.map((s: any) => `${s.key}:${s.count}`).join(),
        ]);
      expect(withAny).toEqual([
        ['2026-04-02', 'BY:1'],
        ['2026-04-03', 'BY:1'],
        ['2026-04-05', 'RU:1'],
        ['2026-04-06', 'RU:1'],
        ['2026-04-07', 'KZ:1'],
        ['2026-04-10', 'KZ:1'],
        ['2026-04-11', 'AM:1'],
        ['2026-04-12', 'TJ:1'],
        ['2026-04-25', 'KG:1'],
        ['2026-04-30', 'BY:1'], // the last millisecond of the period
      ]);
      const sum = content.counts.daily.reduce((n: number, d: any) => n + d.count, 0);
      expect(sum).toBe(content.totals.opened);
    }, 60_000);

    it('computes median times to acknowledge per receiving state and to resolve per reporting state', () => {
      const pick = (t: any) =>
        Object.fromEntries(t.byState.map((s: any) => [s.state, [s.count, s.medianSeconds]]));
      // Each dispatch's own acknowledgement: KZ 600 and 1800, RU 1200 and 60 (one never).
      expect(pick(content.timings.acknowledgement)).toEqual({
        AM: [1, 3600],
        BY: [1, 300],
        KZ: [2, 1200],
        KG: [1, 7200],
        RU: [2, 630],
        TJ: [1, 3600],
      });
      // Resolved in April by the reporting state: BY 7200, 14400, 345600 (opened in March).
      expect(pick(content.timings.resolution)).toEqual({
        AM: [0, null],
        BY: [3, 14400],
        KZ: [1, 86400],
        KG: [1, 1800],
        RU: [1, 3600],
        TJ: [0, null],
      });
    }, 60_000);

    it('counts dispatches and escalations per receiving state', () => {
      const byState = Object.fromEntries(
        content.escalations.map((e: any) => [
          e.state,
          [e.dispatches, e.acknowledged, e.escalated, e.escalations],
        ]),
      );
      expect(byState).toEqual({
        AM: [1, 1, 1, 2],
        BY: [1, 1, 0, 0],
        KZ: [2, 2, 1, 1],
        KG: [1, 1, 1, 1],
        RU: [3, 2, 2, 3],
        TJ: [1, 1, 0, 0],
      });
    }, 60_000);

    it('lists transnational observables that one detailable incident carries, with states and counts', () => {
      const t = content.transnationalObservables;
      expect(t.total).toBe(6);
      expect(t.shareable).toBe(4);
      expect(t.items).toEqual([
        {
          type: 'domain',
          value: 'shared-clear.example',
          incidents: 3,
          tlp: 'TLP:GREEN',
          states: [
            { state: 'AM', incidents: 1 },
            { state: 'BY', incidents: 1 },
            { state: 'KZ', incidents: 1 },
          ],
        },
        {
          type: 'asn',
          value: '64500',
          incidents: 2,
          tlp: 'TLP:GREEN',
          states: [
            { state: 'KZ', incidents: 1 },
            { state: 'TJ', incidents: 1 },
          ],
        },
        {
          type: 'cve',
          value: 'CVE-2026-1234',
          incidents: 2,
          tlp: 'TLP:CLEAR',
          states: [
            { state: 'BY', incidents: 1 },
            { state: 'KG', incidents: 1 },
          ],
        },
        {
          type: 'ipv4',
          value: MARK.greenIp,
          incidents: 2,
          tlp: 'TLP:GREEN',
          states: [
            { state: 'BY', incidents: 1 },
            { state: 'RU', incidents: 1 },
          ],
        },
      ]);
    }, 60_000);

    it('gives lessons learned of resolved GREEN and CLEAR incidents only', () => {
      expect(content.lessonsLearned.total).toBe(3);
      expect(content.lessonsLearned.items.map((l: any) => [l.reference, l.tlp, l.lessons])).toEqual(
        [
          [reference(11), 'TLP:GREEN', 'Register lookalike domains'],
          [reference(1), 'TLP:GREEN', MARK.greenLessons],
          [reference(2), 'TLP:CLEAR', MARK.clearLessons],
        ],
      );
      expect(content.lessonsLearned.items[1]).toMatchObject({
        title: MARK.greenTitle,
        category: 'fraud/phishing',
        summary: 'Green phishing kit taken down',
        resolvedAt: '2026-04-02T12:00:00.000Z',
      });
    }, 60_000);

    it('shows no title, description, observable, reference or lesson of a RED or AMBER incident in any format', async () => {
      const { json, markdown, markdownRu, stix, htmlEn, htmlRu } = await formats(id);
      const restrictedRefs = [3, 4, 5, 10].map(reference);
      for (const text of [
        json.text,
        markdown.text,
        markdownRu.text,
        stix.text,
        htmlEn.text,
        htmlRu.text,
      ]) {
        for (const marker of [...RESTRICTED_MARKERS, ...restrictedRefs])
          expect(text).not.toContain(marker);
        // Control: GREEN details are meant for the community, so the check can see them.
        for (const marker of GREEN_MARKERS) expect(text).toContain(marker);
      }
    }, 60_000);

    it('renders readable markdown in English and Russian with the same numbers', async () => {
      const { markdown, markdownRu } = await formats(id);
      expect(markdown.text).toMatch(/^# CCC report: 2026-04-01 to 2026-05-01/);
      expect(markdown.text).toContain('## Transnational observables');
      expect(markdown.text).toContain('| Belarus | 3 |');
      expect(markdown.text).toContain('| **all** | 6 | 3 h 00 min | 2 d 12 h |');
      expect(markdown.text).toContain(`### ${reference(1)}: ${MARK.greenTitle}`);
      expect(markdown.text).toContain('| 2026-04-02 | 0 | 1 | 0 | 0 | 0 | 0 | 1 |');
      expect(markdownRu.text).toMatch(/^# Отчёт ККЦ: с 2026-04-01 по 2026-05-01/);
      expect(markdownRu.text).toContain('## Трансграничные наблюдаемые объекты');
      expect(markdownRu.text).toContain('| Беларусь | 3 |');
      expect(markdownRu.text).toContain('| **все** | 6 | 3 ч 00 мин | 2 д 12 ч |');
      expect(markdownRu.text).toContain(`### ${reference(1)}: ${MARK.greenTitle}`);
      // Every number in a table cell, in order: the same in both languages.
      const numbers = (md: string) => md.match(/(?<=\| )\d+(?= \|)/g) ?? [];
      expect(numbers(markdownRu.text)).toEqual(numbers(markdown.text));
      expect(numbers(markdown.text).length).toBeGreaterThan(50);
    }, 60_000);

    it('renders one self-contained HTML page per language, with charts and equal numbers', async () => {
      const { json, htmlEn, htmlRu } = await formats(id);
      const c = json.body;
      for (const [html, lang] of [
        [htmlEn.text, 'en'],
        [htmlRu.text, 'ru'],
      ] as const) {
        expect(html).toMatch(/^<!doctype html>/);
        expect(html).toContain(`<html lang="${lang}">`);
        expect(html.trimEnd()).toMatch(/<\/html>$/);
        expect(html).toContain('@media print');
        expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
        // The only URLs are the SVG namespaces.
        const urls = (html.match(/(?:https?:)?\/\/[\w.-]+[^\s"'<)]*/g) ?? []).filter(
          (u) => !/^http:\/\/www\.w3\.org\//.test(u),
        );
        expect(urls).toEqual([]);
        const charts = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
        expect(charts.length).toBeGreaterThanOrEqual(4);
        expect(charts.some((svg) => /<path d="M[^"]+Z?"/.test(svg))).toBe(true);
        expect(html).toContain(`<td>${c.totals.opened}</td><td>${c.totals.resolved}</td>`);
      }
      expect(htmlRu.text).toContain('Беларусь');
      expect(htmlEn.text).toContain('Belarus');
      // The per-day chart (stacked by state) and the per-state times, each with its table.
      expect(htmlEn.text).toContain('<h2>Incidents per day, by reporting state</h2>');
      expect(htmlRu.text).toContain('<h2>Инциденты по дням и сообщившим государствам</h2>');
      expect(htmlEn.text).toContain('<h2>Median times by state</h2>');
      expect(htmlEn.text).toContain(
        '<tr><td>2026-04-30</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>',
      );
      expect(htmlEn.text).toContain('<tr><td>Kazakhstan</td><td>20 min</td><td>2</td>');
      expect(htmlRu.text).toContain('<tr><td>Казахстан</td><td>20 мин</td><td>2</td>');
      // The same numbers in both: every table cell that is a number, in order.
      const numbers = (html: string) =>
        [...html.matchAll(/<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
      expect(numbers(htmlRu.text)).toEqual(numbers(htmlEn.text));
      expect(numbers(htmlEn.text).length).toBeGreaterThan(10);
    }, 60_000);

    it('draws the HTML report served by the service in headless Chromium without console errors or requests', async () => {
      // Loaded from the service, so its Content-Security-Policy applies as in a browser.
      const headers = { authorization: `Bearer ${analyst.key}` };
      await renderInChromium([
        {
          url: `${service.url}/api/v1/reports/${id}?format=html&lang=en`,
          headers,
          screenshot: 'report-en.png',
        },
        {
          url: `${service.url}/api/v1/reports/${id}?format=html&lang=ru`,
          headers,
          screenshot: 'report-ru.png',
        },
      ]);
    }, 60_000);

    it('serves a STIX 2.1 bundle whose every object validates against its type schema', async () => {
      const { stix } = await formats(id);
      const bundle = stix.body;
      expect(bundle.type).toBe('bundle');
      expect(validator.validateObjects(bundle.objects)).toEqual([]);
      // What stix2-validator --strict --enforce-refs checks besides: UUIDv4 ids ({103}) above all.
      const checks = { bundleId: bundle.id, enforceRefs: true };
      expect(validator.referenceChecks(bundle.objects, checks)).toEqual([]);
      const ofType = (t: string) => bundle.objects.filter((o: any) => o.type === t);
      expect(ofType('identity')).toHaveLength(1);
      const [report] = ofType('report');
      expect(report.published).toEqual(expect.any(String));
      expect(report.report_types).toEqual(['threat-report']);
      const ids = new Set(bundle.objects.map((o: any) => o.id));
      for (const ref of report.object_refs) expect(ids.has(ref)).toBe(true);
      expect(
        ofType('indicator')
          .map((o: any) => o.pattern)
          .sort(),
      ).toEqual([
        '[autonomous-system:number = 64500]',
        "[domain-name:value = 'shared-clear.example']",
        `[ipv4-addr:value = '${MARK.greenIp}']`,
      ]);
      expect(ofType('vulnerability').map((o: any) => o.name)).toEqual(['CVE-2026-1234']);
      expect(ofType('note')).toHaveLength(4); // summary + three lessons
      expect(
        ofType('marking-definition')
          .map((o: any) => o.name)
          .sort(),
      ).toEqual(['TLP:CLEAR', 'TLP:GREEN']);
      expect(report.object_marking_refs).toEqual([
        'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
      ]);
      for (const o of bundle.objects) {
        if (o.type !== 'marking-definition') expect(o.object_marking_refs?.length).toBe(1);
      }
      // Derived ids: rendering again gives the same bundle.
      expect((await analyst.get(`/api/v1/reports/${id}?format=stix`)).text).toBe(stix.text);
    }, 60_000);

    it('sends report.published with a link and counts only, signed, to every state and the center', async () => {
      const deliveries = await eventually(() => {
        const got = PARTIES.map((p) =>
          endpoints[p].requests.find((r) => r.json?.data?.report?.id === id),
        );
        return got.every(Boolean) ? got : null;
      }, 'report.published at every party');
      for (const d of deliveries) {
        expect(d!.verified).toBe(true);
        expect(d!.json.type).toBe('report.published');
        expect(d!.json.data.report).toEqual({
          id,
          kind: 'on-demand',
          from: '2026-04-01T00:00:00.000Z',
          to: '2026-05-01T00:00:00.000Z',
          audience: 'community',
          url: expect.stringMatching(new RegExp(`/api/v1/reports/${id}$`)),
          summary: {
            incidents: 10,
            resolved: 6,
            rejected: 1,
            transnationalObservables: 6,
            lessonsLearned: 3,
          },
        });
        for (const marker of [...RESTRICTED_MARKERS, ...GREEN_MARKERS])
          expect(d!.body).not.toContain(marker);
      }
      const { rows } = await env.db.query(
        `SELECT party FROM outbox WHERE type = 'report.published' AND payload->'data'->'report'->>'id' = $1
          ORDER BY party`,
        [id],
      );
      expect(rows.map((r) => r.party)).toEqual([...PARTIES].sort());
    }, 60_000);
  });

  describe('a public report of the same period', () => {
    let id: string;

    beforeAll(async () => {
      id = await order({ ...PERIOD, audience: 'public' }, admin);
      expect(await settled(id)).toMatchObject({ status: 'ready', audience: 'public' });
    }, 60_000);

    it('keeps the same counts but details only TLP:CLEAR incidents', async () => {
      const { json, markdown, markdownRu, stix, htmlEn, htmlRu } = await formats(id);
      const c = json.body;
      expect(c.totals).toEqual({ opened: 10, resolved: 6, rejected: 1 });
      expect(c.detailedTlp).toEqual(['TLP:CLEAR']);
      expect(c.transnationalObservables.total).toBe(6);
      expect(c.transnationalObservables.items.map((o: any) => [o.type, o.value, o.tlp])).toEqual([
        ['domain', 'shared-clear.example', 'TLP:CLEAR'],
        ['cve', 'CVE-2026-1234', 'TLP:CLEAR'],
      ]);
      expect(c.lessonsLearned.items.map((l: any) => l.reference)).toEqual([reference(2)]);
      const hidden = [
        ...RESTRICTED_MARKERS,
        ...GREEN_MARKERS,
        MARK.greenIp,
        ...[1, 3, 4, 5, 10, 11].map(reference),
      ];
      for (const text of [
        json.text,
        markdown.text,
        markdownRu.text,
        stix.text,
        htmlEn.text,
        htmlRu.text,
      ]) {
        for (const marker of hidden) expect(text).not.toContain(marker);
        expect(text).toContain(MARK.clearLessons); // control
      }
      expect(validator.validateObjects(stix.body.objects)).toEqual([]);
      const checks = { bundleId: stix.body.id, enforceRefs: true };
      expect(validator.referenceChecks(stix.body.objects, checks)).toEqual([]);
      const markings = stix.body.objects.filter((o: any) => o.type === 'marking-definition');
      expect(markings.map((o: any) => o.name)).toEqual(['TLP:CLEAR']);
    }, 60_000);
  });

  describe('listing', () => {
    it('lists every report newest first with cursor pagination, for any key', async () => {
      const first = await analyst.get('/api/v1/reports?limit=1');
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.items[0].audience).toBe('public');
      const second = await analyst.get(`/api/v1/reports?limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.items[0].audience).toBe('community');
      const all = await analyst.get('/api/v1/reports?audience=community&status=ready');
      expect(all.body.items.map((r: any) => r.audience)).toEqual(['community']);
      expect((await analyst.get('/api/v1/reports?format=stix')).status).toBe(400);
    }, 60_000);
  });

  describe('failure', () => {
    it('ends a failing generation as failed with a reason; it can be requested again', async () => {
      // Break the schema under the service: every report query on lessons now fails.
      await env.db.query(
        'ALTER TABLE incidents RENAME COLUMN lessons_learned TO lessons_learned_gone',
      );
      let id: string;
      try {
        id = await order({ ...PERIOD, audience: 'community' });
        const failed = await settled(id);
        expect(failed).toMatchObject({ status: 'failed', completedAt: expect.any(String) });
        expect(failed.error).toMatch(/database refused a report query \(SQLSTATE 42703\)/);
        expect(failed.error).not.toContain('lessons_learned');
        const content = await analyst.get(`/api/v1/reports/${id}?format=json`);
        expect(content.status).toBe(409);
        expect(content.headers.get('content-type')).toContain('application/problem+json');
        expect((await analyst.post(`/api/v1/reports/${id}/retry`)).status).toBe(403);
      } finally {
        await env.db.query(
          'ALTER TABLE incidents RENAME COLUMN lessons_learned_gone TO lessons_learned',
        );
      }
      const retried = await coordinator.post(`/api/v1/reports/${id}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body).toEqual({ id, status: 'queued' });
      const ready = await settled(id);
      expect(ready.status).toBe('ready');
      expect(ready.error).toBeUndefined();
      expect((await analyst.get(`/api/v1/reports/${id}?format=json`)).body.totals.opened).toBe(10);
      expect((await coordinator.post(`/api/v1/reports/${id}/retry`)).status).toBe(409);
    }, 60_000);

    it('records requests and outcomes in the audit log', async () => {
      const { rows } = await env.db.query(
        `SELECT action, count(*)::int AS n FROM audit_log WHERE target_type = 'report' GROUP BY action ORDER BY action`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.action, r.n]))).toEqual({
        'report.failed': 1,
        'report.ready': 3,
        'report.requested': 3,
        'report.retried': 1,
      });
    }, 60_000);
  });

  describe('incidents filed and triaged through the API', () => {
    it('counts them like the SQL fixture: opened, rejected, transnational, acknowledged', async () => {
      const from = new Date(Date.now() - 3600_000).toISOString();
      const by = admin.as(await admin.createKey('analyst', 'BY'));
      const ru = admin.as(await admin.createKey('analyst', 'RU'));
      const incident = (title: string) => ({
        title,
        category: 'fraud/phishing',
        severity: 'high',
        tlp: 'TLP:GREEN',
        sector: 'finance',
        affectedStates: ['KZ'],
        observables: [{ type: 'domain', value: 'Api-Shared.EXAMPLE.' }],
      });
      const a = await by.post('/api/v1/incidents', incident('filed by BY'));
      const b = await ru.post('/api/v1/incidents', incident('filed by RU'));
      expect([a.status, b.status]).toEqual([201, 201]);
      const kz = admin.as(await admin.createKey('analyst', 'KZ'));
      expect(
        (await kz.post(`/api/v1/incidents/${a.body.id}/acknowledgements`)).status,
      ).toBeLessThan(300);
      const rejected = await coordinator.post(`/api/v1/incidents/${b.body.id}/transitions`, {
        to: 'rejected',
        note: 'not an incident',
      });
      expect(rejected.status).toBe(200);

      const id = await order({
        from,
        to: new Date(Date.now() + 3600_000).toISOString(),
        audience: 'community',
      });
      expect(await settled(id)).toMatchObject({ status: 'ready' });
      const c = (await analyst.get(`/api/v1/reports/${id}?format=json`)).body;
      expect(c.totals).toEqual({ opened: 2, resolved: 0, rejected: 1 });
      expect(c.transnationalObservables.items).toEqual([
        expect.objectContaining({ type: 'domain', value: 'api-shared.example', incidents: 2 }),
      ]);
      expect(c.timings.acknowledgement.overall.count).toBe(1);
      expect(c.escalations.find((e: any) => e.state === 'KZ')).toMatchObject({
        dispatches: 2,
        acknowledged: 1,
      });
    }, 60_000);
  });
});
