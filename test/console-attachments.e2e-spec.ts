import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { configure, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { Api } from './support/api.js';
import { launchBrowser } from './support/browser.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { eventually } from './support/webhook-receiver.js';

configure({ useWebWorkers: false });

const PASSWORD = 'Quartz-meadow-41-lantern!';

/**
 * The incident page's evidence files in a real browser against the real service: an analyst
 * of the reporting state signs in, uploads through the file chooser and by drag and drop
 * (with progress, and cancelling one midway), downloads a file and a malware sample (only
 * the zip, its password shown), and reads the same in Russian.
 */
describe('Console: evidence files on the incident page', () => {
  let env: TestEnv;
  let service: Service;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let incidentId: string;
  let reference: string;
  const problems: string[] = [];

  async function counts() {
    const { rows } = await env.db.query(
      `SELECT (SELECT count(*) FROM attachments)::int AS attachments,
              (SELECT count(*) FROM attachment_chunks)::int AS chunks`,
    );
    return rows[0] as { attachments: number; chunks: number };
  }

  async function bytesOf(download: Download): Promise<Buffer> {
    const file = await download.path();
    return readFile(file);
  }

  beforeAll(async () => {
    env = await createTestEnv('console_attachments');
    service = await startService(env, { timeoutMs: 90_000 });
    const admin = new Api(service.url);
    const by = admin.as(await admin.createKey('analyst', 'BY'));
    const filed = await by.post('/api/v1/incidents', {
      title: 'Malspam with a dropper',
      category: 'malicious-code/infected-system',
      severity: 'high',
      tlp: 'TLP:AMBER',
      sector: 'finance',
    });
    expect(filed.status).toBe(201);
    incidentId = filed.body.id;
    reference = filed.body.reference;

    // An analyst of the reporting state (no second factor needed for analysts).
    const user = await admin.post('/api/v1/users', {
      username: 'o.ivanova',
      displayName: 'Olga Ivanova',
      email: 'o.ivanova@cert.example',
      role: 'analyst',
      state: 'BY',
      locale: 'en',
    });
    expect(user.status).toBe(201);
    const activated = await new Api(service.url, '').post('/api/v1/auth/activate', {
      token: user.body.activationToken,
      password: PASSWORD,
    });
    expect(activated.status).toBe(204);

    browser = await launchBrowser();
    context = await browser.newContext({ acceptDownloads: true, locale: 'en-GB' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await service?.stop();
    await env?.cleanup();
  });

  it('signs in and shows an incident without evidence', async () => {
    await page.goto(`${service.url}/console/incidents/${incidentId}`);
    await page.getByLabel('Username').fill('o.ivanova');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: reference }).waitFor();
    await page.getByRole('heading', { name: 'Evidence files' }).waitFor();
    await page.getByText('No files yet.').waitFor();
  });

  it('uploads through the file chooser with progress, lists the file, and downloads it', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const sha256 = createHash('sha256').update(data).digest('hex');
    // Slow the upload down so its progress can be watched (Chromium's own throttling).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 1024 * 1024,
    });
    await page.getByLabel('Choose files').setInputFiles({
      name: 'capture.pcap',
      mimeType: 'application/vnd.tcpdump.pcap',
      buffer: data,
    });
    await page.getByLabel('File description').fill('Traffic to the C2');
    await page.getByRole('button', { name: 'Upload' }).click();
    const bar = page.getByRole('progressbar', { name: 'Uploading capture.pcap' });
    await bar.waitFor();
    await eventually(async () => {
      const now = Number(await bar.getAttribute('value').catch(() => null));
      return now > 0 && now < 100;
    }, 'upload progress between 0 and 100 %');
    await page.getByRole('status').getByText('capture.pcap added.').waitFor({ timeout: 30_000 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.detach();

    const row = page.getByRole('row').filter({ hasText: 'capture.pcap' });
    await row.getByText('Traffic to the C2').waitFor();
    await row.getByText('3.1 MB').waitFor();
    await row.getByText(sha256).waitFor();
    await row.getByRole('button', { name: 'Copy SHA-256 of capture.pcap' }).waitFor();
    expect(await row.getByText('Malware').count()).toBe(0);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('link', { name: 'Download capture.pcap' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('capture.pcap');
    expect((await bytesOf(download)).equals(data)).toBe(true);
    // The timeline says who added and who fetched it.
    await page.getByText('Evidence added').first().waitFor();
    await page.reload();
    await page.getByText('Evidence downloaded').first().waitFor();
  }, 90_000);

  it('cancels an upload midway, and the service keeps nothing of it', async () => {
    const before = await counts();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    await page.getByLabel('Choose files').setInputFiles({
      name: 'too-slow.bin',
      mimeType: 'application/octet-stream',
      buffer: randomBytes(4 * 1024 * 1024),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    const bar = page.getByRole('progressbar', { name: 'Uploading too-slow.bin' });
    await eventually(
      async () => Number(await bar.getAttribute('value').catch(() => null)) > 0,
      'the upload under way',
    );
    await page.getByRole('button', { name: 'Cancel upload' }).click();
    await page
      .getByRole('status')
      .getByText('Upload of too-slow.bin cancelled; nothing was kept.')
      .waitFor();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.detach();
    await eventually(async () => {
      const { rows } = await env.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      return rows[0].n === 0;
    }, 'the cancelled upload to roll back');
    expect(await counts()).toEqual(before);
    expect(await page.getByRole('row').filter({ hasText: 'too-slow.bin' }).count()).toBe(0);
  }, 90_000);

  it('uploads a dropped malware sample, and gives it only as the zip with its password', async () => {
    const sample = Buffer.concat([Buffer.from('MZ'), randomBytes(50_000)]);
    // Runs in the page; this project's types are Node's, so the DOM's are named here.
    const dropped = await page.evaluateHandle((bytes) => {
      const dom = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: Uint8Array[], name: string) => unknown;
      };
      const transfer = new dom.DataTransfer();
      transfer.items.add(new dom.File([new Uint8Array(bytes)], 'dropper.exe'));
      return transfer;
    }, Array.from(sample));
    await page.dispatchEvent('.dropzone', 'dragover', { dataTransfer: dropped });
    await page.dispatchEvent('.dropzone', 'drop', { dataTransfer: dropped });
    await page.getByText('dropper.exe (50 kB)').waitFor();
    await page.getByLabel(/^Malware sample/).check();
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('status').getByText('dropper.exe added.').waitFor();

    const row = page.getByRole('row').filter({ hasText: 'dropper.exe' });
    await row.getByText('Malware', { exact: true }).waitFor();
    await row.getByText('ZIP password: infected').waitFor();
    // One link, to the zip: the raw bytes are not offered.
    const links = row.getByRole('link');
    expect(await links.count()).toBe(1);
    const zipLink = row.getByRole('link', { name: 'Download dropper.exe as encrypted ZIP' });
    expect(await zipLink.getAttribute('href')).toMatch(/\/content\?as=zip$/);
    const [download] = await Promise.all([page.waitForEvent('download'), zipLink.click()]);
    expect(download.suggestedFilename()).toBe('dropper.exe.zip');
    const zip = new Uint8Array(await bytesOf(download));
    const [entry] = await new ZipReader(new Uint8ArrayReader(zip), {
      password: 'infected',
    }).getEntries();
    expect(entry.filename).toBe('dropper.exe');
    if (entry.directory) throw new Error('not a file entry');
    expect(Buffer.from(await entry.getData(new Uint8ArrayWriter())).equals(sample)).toBe(true);
  }, 90_000);

  it('says all of it in Russian', async () => {
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { name: 'Файлы доказательств' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'dropper.exe' });
    await row.getByText('Вредоносное ПО', { exact: true }).waitFor();
    await row.getByText('Пароль ZIP: infected').waitFor();
    await row.getByRole('link', { name: 'Скачать dropper.exe в зашифрованном ZIP' }).waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: 'capture.pcap' })
      .getByText(/^3,1\sМБ$/)
      .waitFor();
    await page.getByLabel('Выбрать файлы').waitFor();
    await page.getByRole('button', { name: 'Загрузить' }).waitFor();
    // No script, style or connection was refused by the Content-Security-Policy, no errors.
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });
});
