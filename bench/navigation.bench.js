// The console at scale: a coordinator's queue over 1,000,000 incidents in headless Chromium
// (Debian's /usr/bin/chromium through playwright-core; never a downloaded browser).
//  - navigation: from `page.goto` of the queue to its first rows on screen (goal < 1 s);
//  - a filter change: from the click on a quick filter to the new first rows (goal < 300 ms).
// Baseline in the same run: `page.goto` of the service's own /health/live in the same
// browser (a page the browser only has to fetch and show).
// Loads the incidents as the queue benchmark does (bench/lib/incidents.js).
// Knobs: BENCH_INCIDENTS (1000000), BENCH_ROUNDS (15), CHROMIUM_PATH.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { figure, migratedDatabase, round, startService, summarize } from './lib/common.js';
import { loadIncidents } from './lib/incidents.js';

const N = Number(process.env.BENCH_INCIDENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const PASSWORD = 'Bench-queue-passphrase-2026!';

async function coordinator(url) {
  const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/api/v1/users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      username: 'bench.coordinator',
      displayName: 'Bench',
      role: 'coordinator',
      locale: 'en',
    }),
  }).then((r) => r.json());
  const activated = await fetch(`${url}/api/v1/auth/activate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: created.activationToken, password: PASSWORD }),
  });
  if (!activated.ok) throw new Error(`activate: ${activated.status} ${await activated.text()}`);
  return 'bench.coordinator';
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`needs Chromium at ${CHROMIUM}`);
  const db = await migratedDatabase('console_queue');
  await loadIncidents(db.url, N, 'navigation');
  const service = await startService({
    DATABASE_URL: db.url,
    CCC_QUEUE_PREFIX: db.name,
    CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    CCC_RATE_LIMIT_PER_MINUTE: '0',
    CCC_REQUIRE_TOTP: 'none',
    LOG_LEVEL: 'error',
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const username = await coordinator(service.url);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${service.url}/console/`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const firstRow = () =>
      page.getByRole('table', { name: 'Incidents' }).getByRole('row').nth(1).textContent();
    await firstRow();

    const navigation = [];
    const baseline = [];
    const filters = [];
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await page.goto(`${service.url}/health/live`);
      baseline.push(performance.now() - t);

      t = performance.now();
      await page.goto(`${service.url}/console/`);
      const before = await firstRow();
      navigation.push(performance.now() - t);

      // A quick filter: the same table shows other rows (or says none match).
      const target = i % 2 === 0 ? 'Overdue' : 'New & unassigned';
      t = performance.now();
      await page.getByRole('button', { name: target }).click();
      await page.waitForFunction(
        (previous) => {
          const row = document.querySelector('table tbody tr');
          return (
            row && row.textContent !== previous && !document.querySelector('[aria-busy="true"]')
          );
        },
        before,
        { timeout: 10_000 },
      );
      filters.push(performance.now() - t);
    }
    const nav = summarize(navigation.slice(1));
    const filter = summarize(filters.slice(1));
    const base = summarize(baseline.slice(1));
    const extra = { incidents: N, rounds: ROUNDS - 1 };
    figure('navigation', 'navigation_p50', nav.p50, 'ms', extra);
    figure('navigation', 'navigation_p99', nav.p99, 'ms', extra);
    figure('navigation', 'filter_change_p50', filter.p50, 'ms', extra);
    figure('navigation', 'filter_change_p99', filter.p99, 'ms', extra);
    figure('navigation', 'baseline_health_page_p50', base.p50, 'ms', extra);
    figure('navigation', 'navigation_vs_baseline', nav.p50 / base.p50, 'x', extra);
    console.log(
      `\nconsole queue over ${N.toLocaleString('en')} incidents: navigation to first rows p50 ` +
        `${round(nav.p50)} ms, p99 ${round(nav.p99)} ms (goal < 1 s); filter change p50 ` +
        `${round(filter.p50)} ms, p99 ${round(filter.p99)} ms (goal < 300 ms); a bare page ` +
        `p50 ${round(base.p50)} ms`,
    );
  } finally {
    await browser.close();
    await service.stop();
    await db.drop();
  }
}

await main();
