import type { Browser, Page } from 'playwright-core';
import { Api } from './support/api.js';
import {
  axeViolations,
  createUser,
  expectText,
  launchBrowser,
  requireChromium,
  screenshot,
  Tabs,
  TestUser,
} from './support/browser.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

let seq = 0;
const incident = (extra: Record<string, unknown> = {}) => ({
  title: `Screen test ${++seq} ${Math.random().toString(36).slice(2, 8)}`,
  category: 'intrusions/application-compromise',
  severity: 'medium',
  tlp: 'TLP:AMBER',
  sector: 'energy',
  affectedStates: ['BY'],
  ...extra,
});

/**
 * The console's other screens in Debian's Chromium against the real service: the analyst's
 * queue, filing an incident, bulk actions, profile, failed deliveries, reports, dashboard and
 * administration; each passes axe in both languages. Every test also fails on a request to
 * another host, a console or page error, or a 5xx answer.
 */
describe('Console screens in a browser', () => {
  let env: TestEnv;
  let service: Service;
  let receiver: WebhookReceiver;
  let admin: Api;
  let browser: Browser;
  let ruKey: string;
  let byKey: string;
  let coordinatorKey: string;
  let analyst: TestUser;
  let coordinator: TestUser;
  let administrator: TestUser;
  const tabs = new Tabs(
    () => browser,
    () => service.url,
  );

  const file = async (body: Record<string, unknown>, key = ruKey) => {
    const res = await admin.as(key).post('/api/v1/incidents', body);
    if (res.status !== 201) throw new Error(`filing: ${res.status} ${res.text}`);
    return res.body as { id: string; reference: string; title: string };
  };
  const read = async (id: string) => (await admin.get(`/api/v1/incidents/${id}`)).body;
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  const rowsOf = async (page: Page) =>
    (await page.getByRole('table', { name: 'Incidents' }).getByRole('link').allInnerTexts()).sort();

  beforeAll(async () => {
    requireChromium();
    env = await createTestEnv('console_screens');
    receiver = await WebhookReceiver.start();
    [service, browser] = await Promise.all([
      startService(env, { env: { CCC_WEBHOOK_MAX_ATTEMPTS: '1' }, timeoutMs: 120_000 }),
      launchBrowser(),
    ]);
    admin = new Api(service.url);
    [ruKey, byKey, coordinatorKey] = await Promise.all([
      admin.createKey('analyst', 'RU'),
      admin.createKey('analyst', 'BY'),
      admin.createKey('coordinator'),
    ]);
    [analyst, coordinator, administrator] = await Promise.all([
      createUser(admin, 'an.by', 'analyst', { state: 'BY' }),
      createUser(admin, 'co.ivanova', 'coordinator', { enrol: true }),
      createUser(admin, 'ad.root', 'admin', { enrol: true }),
    ]);
  }, 180_000);

  afterEach(async () => {
    expect(await tabs.closeAll()).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  it("an analyst's queue: awaiting our acknowledgement, shared with us, reported by us", async () => {
    const waiting = await file(incident());
    const acknowledged = await file(incident());
    expect(
      (await admin.as(byKey).post(`/api/v1/incidents/${acknowledged.id}/acknowledgements`)).status,
    ).toBe(200);
    const ours = await file(incident({ affectedStates: ['KZ'] }), byKey);
    const elsewhere = await file(incident({ affectedStates: ['KZ'], tlp: 'TLP:AMBER' }));

    const { page } = await tabs.as(analyst);
    await page.getByRole('heading', { name: 'Our incidents' }).waitFor();
    await page.getByRole('button', { name: 'Awaiting our acknowledgement' }).click();
    await page.waitForURL(/awaitingAck=true/);
    await waitFor(async () => (await rowsOf(page)).join() === waiting.reference, {
      what: 'only the waiting incident listed',
    });
    expect(
      await page
        .getByRole('button', { name: 'Awaiting our acknowledgement' })
        .getAttribute('aria-pressed'),
    ).toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'queue-analyst-en');
    await page.getByRole('button', { name: `Acknowledge ${waiting.reference}` }).click();
    await page.getByText('BY: Acknowledged').first().waitFor();
    expect((await read(waiting.id)).dispatches[0].status).toBe('acknowledged');

    await page.getByRole('button', { name: 'Shared with us' }).click();
    await waitFor(
      async () =>
        (await rowsOf(page)).join() === [waiting.reference, acknowledged.reference].sort().join(),
      { what: 'what was dispatched to Belarus' },
    );
    await page.getByRole('button', { name: 'Reported by us' }).click();
    await page.waitForURL(/reportingState=BY/);
    await waitFor(async () => (await rowsOf(page)).join() === ours.reference, {
      what: "Belarus's own report",
    });
    // Not visible to Belarus at all, under any filter.
    await page.getByRole('button', { name: 'All' }).click();
    await row(page, waiting.reference).waitFor();
    expect(await rowsOf(page)).not.toContain(elsewhere.reference);
  });

  const row = (page: Page, reference: string) =>
    page.getByRole('row').filter({ has: page.getByRole('link', { name: reference }) });

  it('files an incident: RSIT, TLP in words, pasted indicators refanged, filed once with its key', async () => {
    const { page, recorder } = await tabs.as(analyst, '/console/incidents/new');
    const title = `Phishing wave ${Math.random().toString(36).slice(2, 8)}`;
    await page.getByRole('heading', { name: 'New incident' }).waitFor();
    await page.getByLabel('Title').fill(title);
    const taxonomy = await admin.get('/api/v1/taxonomy');
    if (taxonomy.status === 200) {
      // The RSIT picker: class, then type, each explained.
      await page.getByLabel('Class').selectOption({ label: 'Fraud' });
      await page.getByLabel('Type').selectOption({ label: 'Phishing' });
      await page.getByText(/Masquerading as another entity/).waitFor();
    } else {
      // A service without the taxonomy route: the category as text.
      expect(taxonomy.status).toBe(404);
      await page.getByLabel(/Category \(RSIT class\/type/).fill('fraud/phishing');
    }
    await page.getByLabel('Severity').selectOption({ label: 'High' });
    await page.getByText(/for the whole community of CERTs/).waitFor();
    await page.getByRole('radio', { name: /TLP:GREEN/ }).check();
    await page.getByLabel('Sector').selectOption({ label: 'Finance' });
    await page.getByRole('checkbox', { name: 'Kazakhstan' }).check();
    await page
      .getByLabel('Observables (paste any text)')
      .fill(
        'Seen: hxxp://login.bank-secure[.]example/reset from 198.51.100[.]7;\n' +
          'replies to payout[at]bank-secure[.]example, CVE-2024-3094',
      );
    await page.getByRole('heading', { name: '4 indicators found' }).waitFor();
    const found = page.getByRole('table', { name: '4 indicators found' });
    expect(await found.getByRole('row').allInnerTexts()).toEqual([
      'Type\tValue',
      'url\thttp://login.bank-secure.example/reset',
      'ipv4\t198.51.100.7',
      'email\tpayout@bank-secure.example',
      'cve\tCVE-2024-3094',
    ]);
    await expectAccessible(page);
    await screenshot(page, 'new-incident-en');

    // The first answer is lost on the way back (the incident is filed); sending again with
    // the form's key gets that incident, not a second one.
    let cut = false;
    const keys: string[] = [];
    recorder.allow(/ERR_CONNECTION_RESET|ERR_FAILED/);
    await page.route(`${service.url}/api/v1/incidents`, async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (cut) return route.continue();
      cut = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'File the incident' }).click();
    await expectText(page.getByRole('alert'), 'The service cannot be reached.');
    await page.getByRole('button', { name: 'File the incident' }).dblclick();
    const h1 = page.getByRole('heading', { level: 1 });
    await expectText(h1, /^CCC-\d{4}-\d{6}$/);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await admin.get(`/api/v1/incidents?q=${encodeURIComponent(title)}`);
    expect(listed.body.items).toHaveLength(1);
    const filed = listed.body.items[0];
    expect(filed).toMatchObject({
      reference: await h1.innerText(),
      category: 'fraud/phishing',
      severity: 'high',
      tlp: 'TLP:GREEN',
      sector: 'finance',
      reportingState: 'BY',
      affectedStates: ['KZ'],
    });
    expect(filed.observables.map((o: any) => `${o.type} ${o.value}`).sort()).toEqual([
      'cve CVE-2024-3094',
      'email payout@bank-secure.example',
      'ipv4 198.51.100.7',
      'url http://login.bank-secure.example/reset',
    ]);
    // Shown defanged on its page.
    await page.getByText('hxxp://login[.]bank-secure[.]example/reset').waitFor();
  });

  it('a coordinator acts on selected incidents at once; a refused one is said so', async () => {
    const a = await file(incident());
    const b = await file(incident());
    const { page } = await tabs.as(coordinator);
    await page.getByRole('checkbox', { name: `Select ${a.reference}` }).check();
    await page.getByRole('checkbox', { name: `Select ${b.reference}` }).check();
    const bar = page.getByRole('region', { name: 'Action for 2 selected incidents' });
    await expectAccessible(page);
    await screenshot(page, 'queue-bulk-en');
    await bar.getByRole('button', { name: 'Assign to me' }).click();
    await expectText(bar.getByRole('status'), 'Done: 2. Refused: 0.');
    await bar.getByRole('button', { name: 'Mark triaged' }).click();
    await waitFor(async () => (await read(b.id)).status === 'triaged', { what: 'b triaged' });
    for (const i of [a, b]) {
      expect(await read(i.id)).toMatchObject({ assignee: coordinator.username, status: 'triaged' });
      await expectText(row(page, i.reference).getByRole('cell').nth(5), 'Triaged');
    }
    await bar.getByLabel('Reason for rejecting').fill('Scanner noise');
    await bar.getByRole('button', { name: 'Reject' }).click();
    await waitFor(async () => (await read(b.id)).status === 'rejected', { what: 'b rejected' });
    expect((await read(a.id)).status).toBe('rejected');
    // Rejected cannot be triaged: each id says so, nothing changes.
    await bar.getByRole('button', { name: 'Mark triaged' }).click();
    await expectText(bar.getByRole('status'), 'Done: 0. Refused: 2.');
    await bar.getByRole('alert').first().waitFor();
    expect((await read(a.id)).status).toBe('rejected');
    const timeline = (await admin.get(`/api/v1/incidents/${a.id}/timeline`)).body.items;
    expect(timeline.find((t: any) => t.type === 'assigned').actor).toBe(
      `coordinator:CCC:${coordinator.username}`,
    );
  });

  it('profile: time zone and language per person, password changed', async () => {
    const person = await createUser(admin, 'an.profile', 'analyst', { state: 'KZ' });
    const { page } = await tabs.as(person, '/console/profile');
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'profile-en');
    const now = page.locator('.profile time').first();
    // The browser runs in Asia/Almaty (UTC+5): in UTC the same instant reads differently.
    const before = await now.innerText();
    await page.getByLabel('Time zone').selectOption('UTC');
    await waitFor(async () => (await now.innerText()) !== before, { what: 'the time in UTC' });
    const title = await now.getAttribute('title');
    expect(title).toMatch(/UTC$/);
    await page.reload();
    expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');

    await page.getByLabel('Current password').fill('not-my-password-at-all');
    await page.getByLabel('New password (12 characters or more)').fill('violet-harbor-quiet-1984x');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Current password').fill(person.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    const signedIn = await admin.post('/api/v1/auth/login', {
      username: person.username,
      password: 'violet-harbor-quiet-1984x',
    });
    expect(signedIn.status).toBe(200);
  });

  it('failed deliveries arrive live and are retried', async () => {
    const endpoint = receiver.endpoint({ fallback: 500 });
    expect(
      (
        await admin.put('/api/v1/member-states/TJ/contacts', {
          contacts: [{ type: 'webhook', url: endpoint.url, secret: endpoint.secret }],
        })
      ).status,
    ).toBe(200);
    const { page } = await tabs.as(coordinator, '/console/deliveries');
    await page.getByRole('heading', { name: 'Failed deliveries' }).waitFor();
    const filed = await file(incident({ affectedStates: ['TJ'] }));
    const failedRow = page.getByRole('row').filter({ hasText: filed.reference });
    await failedRow.waitFor();
    await expectText(failedRow.getByRole('cell').nth(5), /500/);
    await expectAccessible(page);
    await screenshot(page, 'deliveries-en');
    endpoint.fallback = 200;
    await failedRow.getByRole('button', { name: /^Retry incident\.routed to TJ$/ }).click();
    await page.getByText('Sent for delivery again.').waitFor();
    await failedRow.waitFor({ state: 'detached' });
    await waitFor(() => endpoint.requests.some((r) => r.status === 200), {
      what: 'the retried delivery received',
    });
  });

  it('reports: ordered, made, read as HTML (raw HTML in it stays text); analysts only read', async () => {
    await file(incident({ tlp: 'TLP:GREEN' }));
    // A resolved GREEN incident: its lessons are in the community report, with markup in them.
    const lesson = await file(incident({ tlp: 'TLP:GREEN' }));
    const hostile =
      '<script>window.__reportRan = 1</script><img src="/favicon.ico" onerror="window.__reportRan = 2"> Patch the **VPN** first';
    for (const to of ['triaged', 'in_progress', 'resolved']) {
      const moved = await admin
        .as(coordinatorKey)
        .post(`/api/v1/incidents/${lesson.id}/transitions`, {
          to,
          ...(to === 'resolved'
            ? { resolution: { summary: 'Host rebuilt', lessonsLearned: hostile } }
            : {}),
        });
      expect([to, moved.status]).toEqual([to, 200]);
    }
    const { page } = await tabs.as(coordinator, '/console/reports');
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Order', exact: true }).click();
    await page.getByText('Ordered; it appears below when ready.').waitFor();
    const report = page.getByRole('table', { name: 'Reports' }).getByRole('row').nth(1);
    await expectText(report.getByRole('cell').nth(3), 'Ready');
    await report.getByRole('button', { name: /^Read the report for/ }).click();
    // The Markdown as HTML: its title a heading under the section's, its tables tables.
    const text = page.getByRole('region', { name: 'Report' });
    await text.getByRole('heading', { level: 3, name: /^CCC report: / }).waitFor();
    await text.getByRole('heading', { level: 4, name: 'Summary' }).waitFor();
    await text.getByRole('columnheader', { name: 'Incidents opened' }).waitFor();
    await text.getByRole('heading', { level: 5, name: new RegExp(lesson.reference) }).waitFor();
    // The reported markup is shown as text: nothing inserted, nothing run.
    await text.getByText('<script>window.__reportRan = 1</script>', { exact: false }).waitFor();
    expect(await text.locator('script, img, [onerror]').count()).toBe(0);
    expect(await text.locator('strong', { hasText: 'VPN' }).count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as any).__reportRan)).toBeUndefined();
    expect(await report.getByRole('link', { name: 'JSON' }).getAttribute('href')).toMatch(
      /\/api\/v1\/reports\/[0-9a-f-]{36}\?format=json$/,
    );
    await expectAccessible(page);
    await screenshot(page, 'reports-en');

    const reader = await tabs.as(analyst, '/console/reports');
    await reader.page.getByRole('table', { name: 'Reports' }).getByRole('row').nth(1).waitFor();
    expect(await reader.page.getByRole('button', { name: 'Order', exact: true }).count()).toBe(0);
  });

  it('dashboard: the numbers of /stats, each chart also a table', async () => {
    await file(incident({ severity: 'critical' }));
    const { page } = await tabs.as(coordinator, '/console/dashboard');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const board = page.getByRole('table', { name: 'Acknowledgements per state' });
    const belarus = board.getByRole('row', { name: /^Belarus/ });
    await belarus.waitFor();
    const stats = (await admin.as(coordinatorKey).get('/api/v1/stats')).body;
    const by = stats.acknowledgements.find((a: any) => a.state === 'BY');
    expect((await belarus.getByRole('cell').allInnerTexts()).slice(0, 5)).toEqual(
      [by.dispatched, by.acknowledged, by.pending, by.overdue, by.escalated].map(String),
    );
    await page.getByRole('img', { name: 'Chart: By severity' }).waitFor();
    const severity = page.getByRole('region', { name: 'By severity' });
    await severity.getByRole('button', { name: 'Show as a table' }).click();
    const table = severity.getByRole('table', { name: 'By severity' });
    await expectText(
      table.getByRole('row', { name: /^Critical/ }),
      `Critical ${stats.bySeverity.critical}`,
    );
    await expectAccessible(page);
    await screenshot(page, 'dashboard-en');

    // An analyst's figures are what Belarus may see.
    const own = await tabs.as(analyst, '/console/dashboard');
    const mine = (await admin.as(byKey).get('/api/v1/stats')).body;
    const region = own.page.getByRole('region', { name: 'By status' });
    await region.getByRole('button', { name: 'Show as a table' }).click();
    const total = Object.values(mine.byStatus as Record<string, number>).reduce((a, b) => a + b, 0);
    const cells = await region.getByRole('table').getByRole('cell').allInnerTexts();
    expect(cells.reduce((a, b) => a + Number(b), 0)).toBe(total);
    expect(total).toBeLessThan(
      Object.values(stats.byStatus as Record<string, number>).reduce((a, b) => a + b, 0),
    );
  });

  it('administration: a person created and activated, an API key shown once and revoked, a constituency saved, the audit chain verified', async () => {
    const { page } = await tabs.as(administrator, '/console/admin');
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByLabel('Username').fill('an.new');
    await page.getByLabel('Full name').fill('New Analyst');
    await page.getByLabel('Role').selectOption({ label: 'Analyst' });
    await page.getByLabel('State').selectOption({ label: 'Armenia' });
    await page.getByLabel('Language').last().selectOption({ label: 'English' });
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const link = await page.locator('.once code').innerText();
    expect(link).toMatch(/\/console\/activate#token=/);
    await page.getByRole('cell', { name: 'an.new', exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-users-en');

    // The link works in another browser: the person sets a password and signs in.
    const newcomer = await tabs.tab();
    await newcomer.page.goto(link);
    await newcomer.page.getByLabel('New password').fill('amber-coastline-rivers-2048');
    await newcomer.page.getByRole('button', { name: 'Activate' }).click();
    await newcomer.page.getByLabel('Username').fill('an.new');
    await newcomer.page.getByLabel('Password').fill('amber-coastline-rivers-2048');
    await newcomer.page.getByRole('button', { name: 'Sign in' }).click();
    await newcomer.page.getByRole('table', { name: 'Incidents' }).waitFor();

    await page.getByRole('button', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('TJ SOC');
    await page.getByLabel('Role').selectOption({ label: 'Analyst' });
    await page.getByLabel('State').selectOption({ label: 'Tajikistan' });
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.locator('.once code').innerText();
    expect((await admin.as(key).get('/api/v1/incidents')).status).toBe(200);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Revoke TJ SOC' }).click();
    await page.getByRole('button', { name: 'Revoke TJ SOC' }).waitFor({ state: 'detached' });
    expect((await admin.as(key).get('/api/v1/incidents')).status).toBe(401);
    expect(await page.content()).not.toContain(key);

    await page.getByRole('button', { name: 'Member states' }).click();
    const kz = page.getByRole('form', { name: 'Kazakhstan' });
    await kz.getByLabel('Domains of Kazakhstan (one a line)').fill('kz\nqazaqstan.example');
    await kz.getByRole('button', { name: 'Save Kazakhstan' }).click();
    await kz.getByText('Saved.').waitFor();
    const states = (await admin.get('/api/v1/member-states')).body.items;
    expect(states.find((s: any) => s.code === 'KZ').constituency.domains.sort()).toEqual([
      'kz',
      'qazaqstan.example',
    ]);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Audit log' }).click();
    await expectText(page.getByRole('status'), /^Chain verified: \d+ entries, none altered\.$/);
    await page.getByRole('cell', { name: 'member-state.constituency-replaced' }).first().waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-audit-en');
  });

  it('every screen passes axe in Russian too, with its screenshot', async () => {
    const screens: [TestUser, string, string][] = [
      [analyst, '/console/incidents', 'queue-analyst'],
      [analyst, '/console/incidents/new', 'new-incident'],
      [coordinator, '/console/incidents', 'queue'],
      [coordinator, '/console/dashboard', 'dashboard'],
      [coordinator, '/console/reports', 'reports'],
      [coordinator, '/console/deliveries', 'deliveries'],
      [coordinator, '/console/profile', 'profile'],
      [administrator, '/console/admin', 'admin-users'],
    ];
    for (const [user, path, name] of screens) {
      const { page } = await tabs.as(user, path);
      await page.getByLabel('Language').first().selectOption({ label: 'Русский' });
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Выйти' }).waitFor();
      expect([name, await axeViolations(page)]).toEqual([name, []]);
      await screenshot(page, `${name}-ru`);
      // Back to English for the next screen of this person.
      await page.getByLabel('Язык').first().selectOption({ label: 'English' });
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    }
    // Eight screens, each with an axe run: more than one test's default 60 s on a busy machine.
  }, 180_000);
});
