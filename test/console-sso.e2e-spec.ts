import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { Api } from './support/api.js';
import {
  axeViolations,
  launchBrowser,
  requireChromium,
  screenshot,
  Tabs,
} from './support/browser.js';
import { OidcTestProvider } from './support/oidc-provider.js';
import { createTestEnv, freePort, Service, startService, TestEnv } from './support/service.js';

/**
 * Single sign-on from the console's sign-in page in Debian's Chromium, against a real
 * OpenID provider (oidc-provider) on loopback: the service's public URL is its own loopback
 * address, so the browser follows every redirect itself. (Without single sign-on the link
 * is absent: test/console.e2e-spec.ts, whose service has none.)
 */
describe('Console: single sign-on in a browser', () => {
  let env: TestEnv;
  let op: OidcTestProvider;
  let service: Service;
  let admin: Api;
  let browser: Browser;
  const tabs = new Tabs(
    () => browser,
    () => service.url,
  );

  beforeAll(async () => {
    requireChromium();
    env = await createTestEnv('console_sso');
    // The redirect URI registered at the provider must be on the service's public URL, so
    // the port is chosen first (the service binds it; a race with another file is unlikely).
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const client = {
      clientId: 'ccc-console',
      clientSecret: randomBytes(24).toString('base64url'),
      redirectUri: `${publicUrl}/api/v1/auth/oidc/callback`,
      rolesClaim: 'ccc_roles',
    };
    op = await OidcTestProvider.start(client);
    [service, browser] = await Promise.all([
      startService(env, {
        env: {
          PORT: String(port),
          CCC_PUBLIC_URL: publicUrl,
          CCC_OIDC_ISSUER: op.issuer,
          CCC_OIDC_CLIENT_ID: client.clientId,
          CCC_OIDC_CLIENT_SECRET: client.clientSecret,
          CCC_OIDC_ROLES_CLAIM: client.rolesClaim,
        },
        timeoutMs: 120_000,
      }),
      launchBrowser(),
    ]);
    admin = new Api(service.url);
  }, 180_000);

  afterEach(async () => {
    // No request to a host other than the service and the provider, no console error, no 5xx.
    expect(await tabs.closeAll()).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await op?.close();
    await env?.cleanup();
  });

  it('the 401 of GET /auth/me says single sign-on is configured', async () => {
    const res = await fetch(`${service.url}/api/v1/auth/me`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: '/problems/unauthorized', singleSignOn: true });
  });

  it('the sign-in page offers single sign-on: through the provider, back signed in', async () => {
    op.accounts.set('sub-sokolova', {
      name: 'Sofia Sokolova',
      preferred_username: 's.sokolova',
      email: 'sofia@ccc.example.org',
      ccc_roles: ['coordinator'],
    });
    const { page, recorder } = await tabs.tab();
    recorder.allowOrigin(op.issuer);
    await page.goto(`${service.url}/console/`);
    const sso = page.getByRole('link', { name: 'Sign in with single sign-on' });
    await sso.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-sso-en');

    await sso.click();
    // At the provider's own page.
    await page.getByRole('heading', { name: 'Test provider' }).waitFor();
    expect(new URL(page.url()).origin).toBe(op.issuer);
    await page.getByLabel('Account').fill('sub-sokolova');
    await page.getByRole('button', { name: 'Continue at the provider' }).click();

    // Back in the console, signed in as the person the claims describe (in Russian, the
    // default language of a new account), then switched to English.
    await page.getByRole('table', { name: 'Инциденты' }).waitFor();
    await page.getByText('Вы вошли как Sofia Sokolova').waitFor();
    await page.getByLabel('Язык').selectOption({ label: 'English' });
    await page.getByText('Signed in as Sofia Sokolova').waitFor();
    expect(new URL(page.url()).origin).toBe(service.url);
    const users = (await admin.get('/api/v1/users')).body.items as any[];
    expect(users.find((u) => u.username === 's.sokolova')).toMatchObject({
      role: 'coordinator',
      displayName: 'Sofia Sokolova',
    });

    // Signed out: the link is there again, in Russian too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await sso.waitFor();
    await page.getByLabel('Language').selectOption({ label: 'Русский' });
    await page.getByRole('link', { name: 'Войти через единый вход' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-sso-ru');
  });
});
