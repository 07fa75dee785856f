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
 * Loads each page in headless Chromium with the network cut off: any request (the page must be
 * self-contained), console error or page error fails; saves a full-page screenshot of each
 * and the page next to it.
 */
export async function renderInChromium(pages: { html: string; screenshot: string }[]) {
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
    for (const { html, screenshot } of pages) {
      const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.route('**/*', (route) => {
        problems.push(`request: ${route.request().url()}`);
        return route.abort();
      });
      await page.setContent(html, { waitUntil: 'load' });
      const svgs = await page.locator('figure svg').count();
      if (svgs === 0) problems.push('no chart was drawn');
      await page.emulateMedia({ media: 'print' });
      await page.emulateMedia({ media: 'screen' });
      await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
      // The page itself too, to open in any browser or print to PDF.
      writeFileSync(path.join(ARTIFACTS, screenshot.replace(/\.png$/, '.html')), html);
      await page.close();
      if (problems.length > 0) throw new Error(`${screenshot}: ${problems.join('; ')}`);
    }
  } finally {
    await browser.close();
  }
}
