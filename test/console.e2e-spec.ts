import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { Api } from './support/api.js';
import {
  axeViolations,
  createUser,
  expectText,
  launchBrowser,
  nextCode,
  requireChromium,
  screenshot,
  signIn,
  Tabs,
  TestUser,
} from './support/browser.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';

let seq = 0;
const incident = (extra: Record<string, unknown> = {}) => ({
  title: `Console test ${++seq} ${Math.random().toString(36).slice(2, 8)}`,
  category: 'fraud/phishing',
  severity: 'high',
  tlp: 'TLP:AMBER',
  sector: 'finance',
  affectedStates: ['BY'],
  ...extra,
});

interface Filed {
  id: string;
  reference: string;
  title: string;
}

/**
 * The console in Debian's Chromium against the real service (PostgreSQL, Redis, the event
 * stream): what analysts and coordinators do, in both languages, accessible, and never showing
 * an analyst what it may not see. Every test also fails on a request to another host, a
 * console or page error, or a 5xx answer (afterEach).
 */
describe('Console in a browser', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let browser: Browser;
  let ruKey: string;
  let coordinatorKey: string;
  let analyst: TestUser;
  let analystKz: TestUser;
  let coordinator: TestUser;
  const tabs = new Tabs(
    () => browser,
    () => service.url,
  );
  const open = (options?: BrowserContextOptions) => tabs.tab(options);
  const as = (user: TestUser) => tabs.as(user);
  const file = async (body: Record<string, unknown>, key = ruKey): Promise<Filed> => {
    const res = await admin.as(key).post('/api/v1/incidents', body);
    if (res.status !== 201) throw new Error(`filing: ${res.status} ${res.text}`);
    return res.body;
  };
  const read = async (id: string) => (await admin.get(`/api/v1/incidents/${id}`)).body;
  /**
   * Files incidents until the page announces one: a stream that has just opened may not be
   * subscribed yet when the first is filed. Then shows it.
   */
  const announced = async (page: Page) => {
    let last: Filed | undefined;
    await waitFor(
      async () => {
        if ((await page.getByRole('button', { name: /new incidents?$/ }).count()) > 0) return true;
        last = await file(incident());
        return false;
      },
      { intervalMs: 500, what: 'a live arrival' },
    );
    await page.getByRole('button', { name: /new incidents?$/ }).click();
    await page.getByRole('link', { name: last!.reference }).waitFor();
    return last!;
  };
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  const row = (page: Page, reference: string) =>
    page.getByRole('row').filter({ has: page.getByRole('link', { name: reference }) });

  beforeAll(async () => {
    // First: without the browser nothing here can run, and the message says what to install.
    requireChromium();
    env = await createTestEnv('console');
    [service, browser] = await Promise.all([
      startService(env, { timeoutMs: 120_000 }),
      launchBrowser(),
    ]);
    admin = new Api(service.url);
    ruKey = await admin.createKey('analyst', 'RU');
    coordinatorKey = await admin.createKey('coordinator');
    [analyst, analystKz, coordinator] = await Promise.all([
      createUser(admin, 'an.by', 'analyst', { state: 'BY', displayName: 'Anna BY' }),
      createUser(admin, 'an.kz', 'analyst', { state: 'KZ', locale: 'ru' }),
      createUser(admin, 'co.orlov', 'coordinator', { enrol: true }),
      createUser(admin, 'co.petrov', 'coordinator', { displayName: 'Pavel Petrov' }),
    ]);
  }, 180_000);

  afterEach(async () => {
    // No request to another host, no console or page error, no 5xx, in any test.
    expect(await tabs.closeAll()).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await env?.cleanup();
  });

  it('an analyst signs in with a password alone; a wrong one is refused in words', async () => {
    const { page } = await open();
    await page.goto(`${service.url}/console/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // No single sign-on configured here: no link to it (test/console-sso.e2e-spec.ts has one).
    expect(await page.getByRole('link', { name: /single sign-on/ }).count()).toBe(0);
    const me = await fetch(`${service.url}/api/v1/auth/me`);
    expect([me.status, ((await me.json()) as { singleSignOn?: boolean }).singleSignOn]).toEqual([
      401,
      false,
    ]);
    await expectAccessible(page);
    await screenshot(page, 'sign-in-en');
    await page.getByLabel('Username').fill(analyst.username);
    await page.getByLabel('Password').fill('not-the-password-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'Unknown user or wrong password.');
    await page.getByLabel('Password').fill(analyst.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table', { name: 'Incidents' }).waitFor();
    await page.getByText('Signed in as Anna BY').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // Signed out means the cookie is dead: a reload lands on the sign-in form again.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('a coordinator enrols a second factor at first sign-in, then signs in with a one-time code', async () => {
    const fresh = await createUser(admin, 'co.new', 'coordinator');
    const { page } = await open();
    await page.goto(`${service.url}/console/`);
    await page.getByLabel('Username').fill(fresh.username);
    await page.getByLabel('Password').fill(fresh.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Set up your second factor' }).waitFor();
    await page.getByRole('img', { name: /QR/ }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'enrol-en');
    // The key is on the page for those who cannot scan: an authenticator computes from it.
    fresh.totpSecret = (await page.locator('.enrol code').first().innerText()).trim();
    expect(fresh.totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByLabel('One-time code').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('One-time code').fill(await nextCode(fresh));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expectText(page.getByRole('listitem').first(), /^\S{6,}$/);
    expect(await page.locator('.recovery li').count()).toBe(10);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('table', { name: 'Incidents' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    // Next time: password, then the code the service asks for.
    await page.getByLabel('Username').fill(fresh.username);
    await page.getByLabel('Password').fill(fresh.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('One-time code').waitFor();
    await expectAccessible(page);
    await page.getByLabel('One-time code').fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'A valid one-time code is needed.');
    await page.getByLabel('One-time code').fill(await nextCode(fresh));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table', { name: 'Incidents' }).waitFor();
    expect((await admin.get(`/api/v1/users/${fresh.id}`)).body.totpEnrolled).toBe(true);
  });

  it("an analyst acknowledges its state's dispatch on the incident page", async () => {
    const filed = await file(
      incident({
        title: 'Credential phishing against payment card processors',
        description: 'Lure pages copy the login of three banks; kits reuse one panel.',
        affectedStates: ['BY', 'KZ', 'TJ'],
        observables: [
          { type: 'url', value: 'http://evil.ru/x' },
          { type: 'ipv4', value: '198.51.100.23' },
        ],
      }),
    );
    await admin
      .as(coordinatorKey)
      .post(`/api/v1/incidents/${filed.id}/comments`, { body: 'Takedown requested.' });
    const { page } = await as(analyst);
    await page.getByRole('link', { name: filed.reference }).click();
    await expectText(page.getByRole('heading', { level: 1 }), filed.reference);
    await page.getByText(filed.title).waitFor();
    // Observables are shown defanged: nothing on the page is a live link to them.
    await page.getByText('hxxp://evil[.]ru/x').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'incident-analyst-en');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const board = page.getByRole('table', { name: 'Dispatches' });
    await expectText(board.getByRole('row').filter({ hasText: 'BY' }), /^BY Acknowledged/);
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor({ state: 'detached' });
    // Only Belarus's dispatch: the others still wait, on the page and in the service.
    await expectText(board.getByRole('row').filter({ hasText: 'KZ' }), /^KZ (Pending|Notified)/);
    const after = await read(filed.id);
    const states = after.dispatches.map((d: any) => [d.state, d.status === 'acknowledged']);
    expect(states.sort()).toEqual([
      ['BY', true],
      ['KZ', false],
      ['TJ', false],
    ]);
    await screenshot(page, 'incident-acknowledged-en');
  });

  it('a coordinator assigns, moves an incident on and comments; the page follows', async () => {
    const filed = await file(incident());
    const { page, recorder } = await as(coordinator);
    await page.getByRole('link', { name: filed.reference }).click();
    await expectText(page.getByRole('heading', { level: 1 }), filed.reference);
    await expectAccessible(page);
    await screenshot(page, 'incident-coordinator-en');

    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('button', { name: 'Assign to me' }).waitFor({ state: 'detached' });
    expect((await read(filed.id)).assignee).toBe(coordinator.username);

    // Only legal moves are offered; a rejection needs its note before anything is sent.
    const moveTo = page.getByLabel('Move to');
    expect(await moveTo.locator('option').allInnerTexts()).toEqual([
      'Triaged',
      'Rejected',
      'Duplicate',
    ]);
    await moveTo.selectOption({ label: 'Rejected' });
    const posts = () => recorder.requests.filter((r) => r.endsWith('/transitions')).length;
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(posts()).toBe(0);
    await moveTo.selectOption({ label: 'Triaged' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectText(page.locator('dd').nth(0), 'Triaged');
    expect((await read(filed.id)).status).toBe('triaged');
    expect(await moveTo.locator('option').allInnerTexts()).toEqual([
      'In progress',
      'Rejected',
      'Duplicate',
    ]);

    // Reclassified and handed to a colleague from the list of coordinators.
    const triage = page.getByRole('form', { name: 'Reclassify or assign' });
    await triage.getByLabel('Severity').selectOption({ label: 'Critical' });
    await triage.getByLabel('Assignee').selectOption({ label: 'Pavel Petrov (co.petrov)' });
    await triage.getByRole('button', { name: 'Save changes' }).click();
    await expectText(page.locator('dd').nth(1), 'Critical');
    expect(await read(filed.id)).toMatchObject({ severity: 'critical', assignee: 'co.petrov' });
    await page.getByRole('button', { name: 'Assign to me' }).waitFor();

    await page.getByRole('textbox', { name: 'Comment' }).fill('Called the bank; takedown asked.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('Called the bank; takedown asked.').waitFor();
    await waitFor(
      async () => (await page.getByRole('textbox', { name: 'Comment' }).inputValue()) === '',
      { what: 'the comment box emptied' },
    );
    const timeline = (await admin.get(`/api/v1/incidents/${filed.id}/timeline`)).body.items;
    expect(timeline.map((t: any) => t.type)).toEqual(
      expect.arrayContaining(['assigned', 'transitioned', 'reclassified', 'commented']),
    );
    expect(timeline.find((t: any) => t.type === 'commented').actor).toBe(
      `coordinator:CCC:${coordinator.username}`,
    );
  });

  it('the queue takes live arrivals behind a control and updates rows in place, keeping the selection', async () => {
    const { page, recorder } = await as(coordinator);
    // Once one has arrived, the stream is surely listening.
    const first = await announced(page);
    await row(page, first.reference).waitFor();
    await page.getByRole('checkbox', { name: `Select ${first.reference}` }).check();
    await expectAccessible(page);
    await screenshot(page, 'queue-en');

    // Filed through the API while the queue is open: announced, not pushed under the cursor.
    const arrived = await file(incident({ title: 'Arrived while watching' }));
    await page.getByRole('button', { name: '1 new incident' }).waitFor();
    expect(
      await page.getByRole('checkbox', { name: `Select ${first.reference}` }).isChecked(),
    ).toBe(true);
    await page.getByRole('button', { name: '1 new incident' }).click();
    await row(page, arrived.reference).waitFor();
    expect(
      await page.getByRole('checkbox', { name: `Select ${first.reference}` }).isChecked(),
    ).toBe(true);
    await page.getByText('1 selected', { exact: true }).waitFor();

    // A change made elsewhere reaches the row where it stands.
    const patched = await admin
      .as(coordinatorKey)
      .patch(`/api/v1/incidents/${first.id}`, { severity: 'critical' });
    expect(patched.status).toBe(200);
    await expectText(row(page, first.reference).getByRole('cell').nth(3), 'Critical');
    expect(
      await page.getByRole('checkbox', { name: `Select ${first.reference}` }).isChecked(),
    ).toBe(true);
    expect(recorder.streamed.some((d) => d.includes(first.id))).toBe(true);
  });

  it('one event stream per browser: tabs share it, and another tab takes it over', async () => {
    const { context, page, recorder } = await as(coordinator);
    const second = await context.newPage();
    await second.goto(`${service.url}/console/incidents`);
    await second.getByRole('table', { name: 'Incidents' }).waitFor();
    const streams = () => recorder.requests.filter((r) => r.endsWith('/api/v1/events')).length;

    await file(incident());
    for (const tab of [page, second]) {
      await tab.getByRole('button', { name: '1 new incident' }).waitFor();
    }
    expect(streams()).toBe(1);

    // The first tab holds the stream; when it goes, the other opens one and keeps receiving.
    await second.getByRole('button', { name: '1 new incident' }).click();
    await page.close();
    await waitFor(() => streams() === 2, { what: 'the other tab opening the stream' });
    await announced(second);
  });

  it('says when live updates are down and picks them up again by itself', async () => {
    const { page, recorder } = await open();
    recorder.allow(/ERR_FAILED|ERR_INTERNET_DISCONNECTED/);
    // The stream cannot be reached (the page itself can).
    await page.route(`${service.url}/api/v1/events`, (route) => route.abort('failed'));
    await signIn(page, service.url, analyst);
    const banner = page.getByRole('status').filter({ hasText: 'Live updates are interrupted' });
    await banner.waitFor();
    await expectAccessible(page);
    await page.unroute(`${service.url}/api/v1/events`);
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await announced(page);
  });

  it('speaks Russian and English, switched at any time and remembered for the person', async () => {
    const filed = await file(incident());
    const { page } = await open();
    await page.goto(`${service.url}/console/`);
    await page.getByLabel('Language').selectOption({ label: 'Русский' });
    await page.getByLabel('Имя пользователя').fill(analyst.username);
    await page.getByLabel('Пароль').fill(analyst.password);
    await expectAccessible(page);
    await screenshot(page, 'sign-in-ru');
    await page.getByRole('button', { name: 'Войти' }).click();
    // The choice made before signing in stays (the account says English).
    await page.getByRole('table', { name: 'Инциденты' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'queue-ru');
    await page.getByRole('link', { name: filed.reference }).click();
    await page.getByRole('button', { name: 'Подтвердить получение' }).waitFor();
    await page.getByRole('textbox', { name: 'Комментарий' }).waitFor();
    await page.getByRole('button', { name: 'Добавить комментарий' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'incident-ru');
    // Switched back without leaving the page.
    await page.getByLabel('Язык').selectOption({ label: 'English' });
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    await page.getByRole('button', { name: 'Add comment' }).waitFor();
    await page.getByLabel('Language').selectOption({ label: 'Русский' });
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('button', { name: 'Войти' }).waitFor();
    // The next sign-in in this browser keeps this person's Russian, whatever the form showed.
    await page.getByLabel('Язык').selectOption({ label: 'English' });
    await page.getByLabel('Username').fill(analyst.username);
    await page.getByLabel('Password').fill(analyst.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the person was, in Russian.
    await page.getByRole('button', { name: 'Подтвердить получение' }).waitFor();
    // Someone who never chose gets the account's language (Kazakhstan's analyst: Russian).
    const other = await open();
    await other.page.goto(`${service.url}/console/`);
    await other.page.getByLabel('Username').fill(analystKz.username);
    await other.page.getByLabel('Password').fill(analystKz.password);
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await other.page.getByRole('table', { name: 'Инциденты' }).waitFor();
  });

  it('an analyst never sees an invisible incident: not on a page, not in the stream, not in any answer', async () => {
    const marker = `zq${Math.random().toString(36).slice(2, 10)}`;
    const shared = `shared-${Math.random().toString(36).slice(2, 10)}.example`;
    const by = await as(analyst);
    const kz = await open();
    await signIn(kz.page, service.url, analystKz);
    await by.page.getByRole('table', { name: 'Incidents' }).waitFor();
    // Both streams subscribed before anything is filed: a live stream has no history.
    for (const tab of [kz, by]) {
      await waitFor(() => tab.recorder.streamsOpened > 0, { what: 'the stream open' });
    }

    // TLP:RED for Kazakhstan only, sharing an observable with what Belarus does see.
    const hidden = await file(
      incident({
        tlp: 'TLP:RED',
        affectedStates: ['KZ'],
        title: `Hidden ${marker}`,
        description: `secret ${marker}`,
        observables: [{ type: 'domain', value: shared }],
      }),
    );
    expect(
      (
        await admin
          .as(coordinatorKey)
          .post(`/api/v1/incidents/${hidden.id}/comments`, { body: `note ${marker}` })
      ).status,
    ).toBe(201);
    const shown = await file(incident({ observables: [{ type: 'domain', value: shared }] }));
    // Kazakhstan's stream carries the hidden incident: the events exist and are sent...
    await waitFor(() => kz.recorder.streamed.some((d) => d.includes(hidden.id)), {
      what: "the hidden incident's event on Kazakhstan's stream",
    });
    // ...and Belarus's stream, which carries the later one, never did.
    await waitFor(() => by.recorder.streamed.some((d) => d.includes(shown.id)), {
      what: "the shown incident's event on Belarus's stream",
    });
    await by.page.getByRole('button', { name: /new incident/ }).click();
    await by.page.getByRole('link', { name: shown.reference }).click();
    await expectText(by.page.getByRole('heading', { level: 1 }), shown.reference);
    await expectText(by.page.getByRole('region', { name: 'Related incidents' }), /None$/);
    // The hidden one's own address says only that there is nothing to show.
    await by.page.goto(`${service.url}/console/incidents/${hidden.id}`);
    await expectText(
      by.page.getByRole('alert'),
      'This incident does not exist or is not shared with you.',
    );
    // Its id, reference and words (title, description, comment). Not its TLP: the taxonomy
    // names every level.
    const secrets = [hidden.id, `"${hidden.reference}"`, `>${hidden.reference}<`, marker];
    for (const secret of secrets) {
      expect([secret, (await by.page.content()).includes(secret)]).toEqual([secret, false]);
    }
    // Searching for its words finds nothing.
    await by.page.goto(`${service.url}/console/incidents?q=${marker}`);
    await by.page.getByText('No incidents match these filters.').waitFor();

    const received = await by.recorder.everything();
    expect(by.recorder.responses.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect([secret, received.includes(secret)]).toEqual([secret, false]);
    }
    // Kazakhstan sees it whole.
    await kz.page.goto(`${service.url}/console/incidents/${hidden.id}`);
    await expectText(kz.page.getByRole('heading', { level: 1 }), hidden.reference);
    await kz.page.getByText(`note ${marker}`).waitFor();
  });

  it('keyboard: j/k move, x selects, Enter opens, c and a act, ? lists them; none fire while typing', async () => {
    const older = await file(incident());
    const newer = await file(incident());
    const { page, recorder } = await as(coordinator);
    await row(page, newer.reference).waitFor();
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.click();
    await page.keyboard.type('jx?');
    expect(await search.inputValue()).toBe('jx?');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByRole('checkbox', { checked: true }).count()).toBe(0);
    await search.fill('');
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 300 } });

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await expectAccessible(page);
    await screenshot(page, 'shortcuts-en');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    // Newest first: the cursor starts on `newer`; j moves to `older`, k back.
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    expect(
      await page.getByRole('checkbox', { name: `Select ${older.reference}` }).isChecked(),
    ).toBe(true);
    await page.keyboard.press('Enter');
    await expectText(page.getByRole('heading', { level: 1 }), older.reference);

    await page.keyboard.press('c');
    const comment = page.getByRole('textbox', { name: 'Comment' });
    await waitFor(() => comment.evaluate((el) => el === (el.ownerDocument as any).activeElement));
    await page.keyboard.type('a quick look');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('a quick look').waitFor();
    // Typing `a` in the comment assigned nothing: no PATCH before the comment's POST.
    expect(recorder.requests.filter((r) => r.startsWith('PATCH'))).toEqual([]);
    await page.locator('h1').click();
    await page.keyboard.press('a');
    await waitFor(async () => (await read(older.id)).assignee === coordinator.username, {
      what: 'assigned by the a key',
    });
  });
});
