import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Where tests leave screenshots for people to look at (git-ignored). */
export const ARTIFACTS = path.resolve('test-artifacts');

/** The system's Chromium (Debian's `chromium`); never a downloaded browser. */
export function chromiumPath(): string {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'No Chromium browser found: install Debian\'s "chromium" (apt-get install -y chromium); .ci/run does',
    );
  }
}

/**
 * Loads each page in headless Chromium with the network cut off: any request but the page's
 * own (it must be self-contained), console error (a Content-Security-Policy refusal
 * included), page error or unapplied style sheet fails; saves a full-page screenshot of
 * each and the page next to it. A page is HTML, or a URL loaded with its response headers.
 */
export async function renderInChromium(
  pages: ({ html: string } | { url: string; headers: Record<string, string> })[],
  screenshots: string[],
) {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [i, source] of pages.entries()) {
      const screenshot = screenshots[i];
      const page = await browser.newPage({
        viewport: { width: 1024, height: 800 },
        extraHTTPHeaders: 'url' in source ? source.headers : {},
      });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      // The page itself may be fetched (from the service, with its own headers); nothing else.
      await page.route('**/*', (route) => {
        if ('url' in source && route.request().url() === source.url) return route.continue();
        problems.push(`request: ${route.request().url()}`);
        return route.abort();
      });
      if ('url' in source) {
        const res = await page.goto(source.url, { waitUntil: 'load' });
        if (res?.status() !== 200) problems.push(`status ${res?.status()}`);
      } else await page.setContent(source.html, { waitUntil: 'load' });
      // Every style rule applied: a refused inline style (CSP) leaves tables without borders.
      const border = await page
        .locator('th')
        .first()
        .evaluate((th) => th.ownerDocument.defaultView!.getComputedStyle(th).borderTopStyle);
      if (border !== 'solid') problems.push(`styles not applied (th border ${border})`);
      const html = await page.content();
      const svgs = await page.locator('figure svg').count();
      if (svgs === 0) problems.push('no chart was drawn');
      await page.emulateMedia({ media: 'print' });
      await page.emulateMedia({ media: 'screen' });
      await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
      // The page itself too, to open in any browser or print to PDF.
      writeFileSync(path.join(ARTIFACTS, screenshot.replace(/\.png$/, '.html')), html);
      await page.close();
      const distinct = [...new Set(problems)];
      if (distinct.length > 0) {
        throw new Error(
          `${screenshot}: ${distinct.slice(0, 5).join('; ')} (${problems.length} in all)`,
        );
      }
    }
  } finally {
    await browser.close();
  }
}
