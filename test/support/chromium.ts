import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser.js';

/** Where tests leave screenshots for people to look at (git-ignored). */
export const ARTIFACTS = path.resolve('test-artifacts');

/**
 * Loads each page from the service in headless Chromium, with its response headers (its
 * Content-Security-Policy applies) and the network otherwise cut off: any other request (the
 * page must be self-contained), console error (a CSP refusal included), page error or
 * unapplied style sheet fails. Saves a full-page screenshot of each and the page next to it.
 */
export async function renderInChromium(
  pages: { url: string; headers: Record<string, string>; screenshot: string }[],
) {
  const browser = await launchBrowser();
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const { url, headers, screenshot } of pages) {
      const page = await browser.newPage({
        viewport: { width: 1024, height: 800 },
        extraHTTPHeaders: headers,
      });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      // The page itself is fetched; nothing else.
      await page.route('**/*', (route) => {
        if (route.request().url() === url) return route.continue();
        problems.push(`request: ${route.request().url()}`);
        return route.abort();
      });
      const res = await page.goto(url, { waitUntil: 'load' });
      if (res?.status() !== 200) problems.push(`status ${res?.status()}`);
      // Every style rule applied: a refused inline style (CSP) leaves tables without borders.
      const border = await page
        .locator('th')
        .first()
        .evaluate((th) => th.ownerDocument.defaultView!.getComputedStyle(th).borderTopStyle);
      if (border !== 'solid') problems.push(`styles not applied (th border ${border})`);
      const html = await page.content();
      const svgs = await page.locator('figure svg').count();
      if (svgs === 0) problems.push('no chart was drawn');
      // Printed as a person would to PDF (print CSS, A4): a document of several pages.
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      const pdfPages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0;
      if (pdfPages < 2) problems.push(`printed to ${pdfPages} PDF page(s)`);
      writeFileSync(path.join(ARTIFACTS, screenshot.replace(/\.png$/, '.pdf')), pdf);
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
