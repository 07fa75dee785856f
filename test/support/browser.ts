import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  chromium,
  Locator,
  Page,
  Request,
  Response,
} from 'playwright-core';
import { Api } from './api.js';
import { Person } from './person.js';

/**
 * Browser tests drive Debian's Chromium through playwright-core: never a downloaded browser,
 * never a skipped test. One browser per test file, a fresh context (cookies, storage) per test.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for people to look at (git-ignored; not compared pixel by pixel). */
export const ARTIFACTS = path.resolve('test-artifacts', 'console');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails, naming the browser and how to get it, when Chromium is not installed. */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM} and it is not there. ` +
        `Install Debian's package: apt-get install -y chromium (.ci/run does). ` +
        `They never download a browser and never skip.`,
    );
  }
  return CHROMIUM;
}

/** Playwright gives each launch a fresh, temporary user-data-dir. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: requireChromium(), args: FLAGS, timeout: 60_000 });
}

export const STRONG_PASSWORD = (n: string) => `copper-lantern-misty-orbit-${n}-7x`;

export interface TestUser {
  id: string;
  username: string;
  password: string;
  role: 'analyst' | 'coordinator' | 'admin';
  state?: string;
  /** Set once a second factor is enrolled. */
  totpSecret?: string;
  /** The last TOTP step used (the service refuses a step twice). */
  lastStep?: number;
}

/** Creates and activates a person through the API (admin key); enrols a second factor if asked. */
export async function createUser(
  admin: Api,
  username: string,
  role: TestUser['role'],
  options: { state?: string; locale?: 'en' | 'ru'; enrol?: boolean; displayName?: string } = {},
): Promise<TestUser> {
  const created = await admin.post('/api/v1/users', {
    username,
    role,
    displayName: options.displayName ?? username,
    locale: options.locale ?? 'en',
    ...(options.state ? { state: options.state } : {}),
  });
  if (created.status !== 201) throw new Error(`create ${username}: ${created.text}`);
  const user: TestUser = {
    id: created.body.id,
    username,
    password: STRONG_PASSWORD(username.replace(/\W/g, '')),
    role,
    state: options.state,
  };
  const person = new Person(admin.baseUrl);
  const activated = await person.post('/api/v1/auth/activate', {
    token: created.body.activationToken,
    password: user.password,
  });
  if (activated.status !== 204) throw new Error(`activate ${username}: ${activated.text}`);
  if (options.enrol) {
    await person.login(username, user.password);
    const begun = await person.post('/api/v1/auth/totp', {});
    user.totpSecret = begun.body.secret as string;
    const confirmed = await person.post('/api/v1/auth/totp/confirm', {
      code: await nextCode(user),
    });
    if (confirmed.status !== 200) throw new Error(`enrol ${username}: ${confirmed.text}`);
    await person.post('/api/v1/auth/logout');
  }
  return user;
}

/**
 * A one-time code the service has not seen yet: the current step, or the next one (it
 * accepts one step either side), waiting for the clock when both were used.
 */
export async function nextCode(user: TestUser): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / 30);
    const step = Math.max(now, (user.lastStep ?? -1) + 1);
    if (step <= now + 1) {
      user.lastStep = step;
      return generate({ secret: user.totpSecret!, epoch: step * 30 });
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** What a page did that a test may check: requests, API answers, stream messages, errors. */
export class Recorder {
  readonly requests: string[] = [];
  /** Status and body of every answer from /api/ (streams excluded). */
  readonly responses: { url: string; status: number; body: string }[] = [];
  /** The data of every server-sent event the browser received. */
  readonly streamed: string[] = [];
  /** Event streams that answered 200 (the service subscribes before it answers). */
  streamsOpened = 0;
  readonly problems: string[] = [];
  private readonly pending: Promise<unknown>[] = [];
  private readonly allowed: RegExp[] = [];
  /** Other hosts a test sends the browser to on purpose (a single sign-on provider). */
  private readonly otherOrigins: string[] = [];

  constructor(readonly origin: string) {}

  /** Requests to `origin` are expected (the browser is sent there), not a problem. */
  allowOrigin(origin: string): void {
    this.otherOrigins.push(origin);
  }

  attach(context: BrowserContext): void {
    context.on('request', (r: Request) => {
      this.requests.push(`${r.method()} ${r.url()}`);
      const url = new URL(r.url());
      if (
        url.origin !== this.origin &&
        url.protocol !== 'data:' &&
        !this.otherOrigins.includes(url.origin)
      ) {
        this.problems.push(`request to another host: ${r.url()}`);
      }
    });
    context.on('response', (r: Response) => {
      const url = new URL(r.url());
      if (r.status() >= 500) this.problems.push(`HTTP ${r.status()} from ${r.url()}`);
      if (url.pathname === '/api/v1/events' && r.status() === 200) this.streamsOpened++;
      if (!url.pathname.startsWith('/api/') || url.pathname === '/api/v1/events') return;
      this.pending.push(
        r.text().then(
          (body) => this.responses.push({ url: r.url(), status: r.status(), body }),
          () => undefined,
        ),
      );
    });
    context.on('console', (m) => {
      if (m.type() !== 'error') return;
      // Chromium reports every 4xx answer of fetch as "Failed to load resource"; the console
      // expects and shows those (401 before sign-in, 404 for what is not shared). 5xx are
      // caught above.
      if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
        return;
      if (this.allowed.some((a) => a.test(m.text()))) return;
      this.problems.push(`console error: ${m.text()}`);
    });
    context.on('weberror', (e) => this.problems.push(`page error: ${e.error().message}`));
  }

  /** A console error the test itself causes (a connection it cuts) is not a problem. */
  allow(message: RegExp): void {
    this.allowed.push(message);
  }

  /** Records server-sent events as the browser's network layer sees them (DevTools protocol). */
  async watchStream(page: Page): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    cdp.on('Network.eventSourceMessageReceived', (m) => this.streamed.push(m.data));
    await cdp.send('Network.enable');
  }

  /** Every body the browser received (not the addresses it asked for), to search. */
  async everything(): Promise<string> {
    await Promise.all(this.pending);
    return [...this.responses.map((r) => r.body), ...this.streamed].join('\n');
  }

  /** Throws on a request to another host, a console or page error, or a 5xx. */
  assertClean(): void {
    if (this.problems.length > 0) throw new Error(this.problems.join('\n'));
  }
}

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  recorder: Recorder;
}

/** A fresh context (no cookies, nothing stored) with a page, recording what happens. */
export async function openConsole(
  browser: Browser,
  baseUrl: string,
  options: BrowserContextOptions = {},
): Promise<ConsoleTab> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Asia/Almaty',
    ...options,
  });
  context.setDefaultTimeout(15_000);
  const recorder = new Recorder(new URL(baseUrl).origin);
  recorder.attach(context);
  const page = await context.newPage();
  await recorder.watchStream(page);
  return { context, page, recorder };
}

/** Signs in through the sign-in form, with a one-time code when the user has a second factor. */
export async function signIn(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (user.totpSecret) {
    await page.getByLabel('One-time code').fill(await nextCode(user));
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  // The queue, in whichever language the person gets.
  await page.getByRole('table', { name: /^(Incidents|Инциденты)$/ }).waitFor();
}

const AXE_SOURCE = () =>
  readFileSync(path.resolve('node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the console's CSP
 * stays on) and returns the serious and critical violations, one line each.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as any).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE());
  const results: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] =
    await page.evaluate(async () => {
      const axe = (globalThis as any).axe;
      const r = await axe.run((globalThis as any).document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        resultTypes: ['violations'],
      });
      return r.violations.map((v: any) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n: any) => ({ target: n.target })),
      }));
    });
  return results
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target).join(', ')}`);
}

/** Saves a full-page screenshot under test-artifacts/console/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Waits until the locator's text (whitespace collapsed) is `expected` — or contains it, for a
 * RegExp match — and fails naming what it saw last.
 */
export async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  let last = '';
  const matches = () => (typeof expected === 'string' ? last === expected : expected.test(last));
  const deadline = Date.now() + 15_000;
  for (;;) {
    last = await locator
      .first()
      .innerText({ timeout: 1_000 })
      .then((t) => t.replace(/\s+/g, ' ').trim())
      .catch(() => '(absent)');
    if (matches()) return;
    if (Date.now() > deadline) {
      throw new Error(`expected ${String(locator)} to read ${String(expected)}, saw "${last}"`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The tabs of one test file: each a fresh context; `as(user)` signs in through the form once
 * per user and then reuses the cookies (a second factor's code is good once per 30 s).
 */
export class Tabs {
  private readonly open: ConsoleTab[] = [];
  private readonly sessions = new Map<string, BrowserContextOptions['storageState']>();

  constructor(
    private readonly browser: () => Browser,
    private readonly baseUrl: () => string,
  ) {}

  async tab(options: BrowserContextOptions = {}): Promise<ConsoleTab> {
    const tab = await openConsole(this.browser(), this.baseUrl(), options);
    this.open.push(tab);
    return tab;
  }

  async as(user: TestUser, path = '/console/incidents'): Promise<ConsoleTab> {
    const saved = this.sessions.get(user.username);
    const tab = await this.tab(saved ? { storageState: saved } : {});
    if (saved) {
      await tab.page.goto(`${this.baseUrl()}${path}`);
      if (path === '/console/incidents') {
        await tab.page.getByRole('table', { name: /^(Incidents|Инциденты)$/ }).waitFor();
      }
    } else {
      await signIn(tab.page, this.baseUrl(), user);
      this.sessions.set(user.username, await tab.context.storageState());
      if (path !== '/console/incidents') await tab.page.goto(`${this.baseUrl()}${path}`);
    }
    return tab;
  }

  /** Closes every tab; returns what they recorded as problems (foreign requests, errors). */
  async closeAll(): Promise<string[]> {
    const done = this.open.splice(0);
    const problems = done.flatMap((t) => t.recorder.problems);
    await Promise.all(done.map((t) => t.context.close()));
    return problems;
  }
}
