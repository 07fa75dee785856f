import { createHash, randomBytes } from 'node:crypto';
import { Api } from './support/api.js';
import { OidcTestProvider, SsoBrowser } from './support/oidc-provider.js';
import { Person } from './support/person.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

/**
 * Single sign-on against a real OpenID provider (oidc-provider) started here on loopback:
 * authorization code with PKCE, state and nonce, users made from the roles claim. The
 * service's public URL is https (as in production): the redirect URI registered at the
 * provider is on it, and a browser's redirect is delivered by the test to the service's
 * actual loopback address.
 */
const PUBLIC_URL = 'https://ccc.example.test';
const CLIENT = {
  clientId: 'ccc-coordination',
  clientSecret: randomBytes(24).toString('base64url'),
  redirectUri: `${PUBLIC_URL}/api/v1/auth/oidc/callback`,
  // Not the default (ccc_roles): CCC_OIDC_ROLES_CLAIM is what the service reads.
  rolesClaim: 'ccc_groups',
};

const incident = {
  title: 'Defacement of a ministry site',
  category: 'intrusions/application-compromise',
  severity: 'medium',
  tlp: 'TLP:GREEN',
  sector: 'government',
  reportingState: 'KZ',
};

describe('People: single sign-on with OpenID Connect', () => {
  let env: TestEnv;
  let op: OidcTestProvider;
  let service: Service;
  let second: Service;
  let admin: Api;
  /** Every response body the service gave, searched for secrets at the end. */
  const seen: string[] = [];
  /** Codes, states, nonces, cookies and the client secret: never to be logged or stored. */
  const secrets: string[] = [CLIENT.clientSecret];

  const sessionOf = (headers: Headers) =>
    headers
      .getSetCookie()
      .map((c) => /^ccc_session=([^;]+)/.exec(c))
      .find((m) => m)?.[1];

  /** A Person holding the session a callback answer set. */
  function personWith(headers: Headers, at = service.url): Person {
    const token = sessionOf(headers);
    if (!token) throw new Error('no session cookie was set');
    secrets.push(token);
    const p = new Person(at, seen);
    p.cookie = `ccc_session=${token}`;
    return p;
  }

  /** Signs `account` in, keeping every value that must stay secret. */
  async function signIn(account: string, at?: string) {
    const browser = new SsoBrowser(service.url, seen);
    const authorization = await browser.start();
    secrets.push(browser.service.get('ccc_oidc')!, authorization.searchParams.get('nonce')!);
    const back = await browser.authorize(authorization, account);
    secrets.push(back.searchParams.get('code')!, back.searchParams.get('state')!);
    return { browser, authorization, back, answer: await browser.callback(back, at) };
  }

  async function userBySubject(sub: string) {
    const { rows } = await env.db.query(
      'SELECT username, role, state, display_name, email, password_hash, oidc_issuer FROM users WHERE oidc_subject = $1',
      [sub],
    );
    return rows;
  }

  beforeAll(async () => {
    env = await createTestEnv('people_sso');
    op = await OidcTestProvider.start(CLIENT);
    const settings = {
      CCC_PUBLIC_URL: PUBLIC_URL,
      CCC_OIDC_ISSUER: op.issuer,
      CCC_OIDC_CLIENT_ID: CLIENT.clientId,
      CCC_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
      CCC_OIDC_ROLES_CLAIM: CLIENT.rolesClaim,
      // The request log is on, so the search for secrets below has something to search.
      LOG_LEVEL: 'info',
    };
    service = await startService(env, { env: settings, timeoutMs: 120_000 });
    second = await startService(env, { role: 'api', env: settings, timeoutMs: 120_000 });
    admin = new Api(service.url);
  }, 240_000);

  afterAll(async () => {
    await second?.stop();
    await service?.stop();
    await op?.close();
    await env?.cleanup();
  });

  it('a person signs in at the provider: PKCE, state and nonce sent; user made from the claims; the session works', async () => {
    op.accounts.set('sub-ivanova', {
      name: 'Irina Ivanova',
      preferred_username: 'I.Ivanova',
      email: 'irina@cert.example.kz',
      ccc_groups: ['staff', 'coordinator'],
    });
    const { browser, authorization, back, answer } = await signIn('sub-ivanova');

    // The authorization request: code flow, S256 challenge, fresh state and nonce.
    const sent = authorization.searchParams;
    expect(`${authorization.origin}`).toBe(op.issuer);
    expect(sent.get('response_type')).toBe('code');
    expect(sent.get('client_id')).toBe(CLIENT.clientId);
    expect(sent.get('redirect_uri')).toBe(CLIENT.redirectUri);
    expect(sent.get('scope')?.split(' ')).toContain('openid');
    expect(sent.get('code_challenge_method')).toBe('S256');
    expect(sent.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(sent.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(sent.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(`${back.origin}${back.pathname}`).toBe(CLIENT.redirectUri);

    // Back at the service: the session cookie (Secure: the public URL is https), the
    // attempt's cookie cleared, and the console.
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`${PUBLIC_URL}/console/`);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('ccc_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Secure/i);
    expect(browser.service.get('ccc_oidc')).toBeUndefined();

    const p = personWith(answer.headers);
    const me = await p.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({
      username: 'i.ivanova',
      displayName: 'Irina Ivanova',
      email: 'irina@cert.example.kz',
      role: 'coordinator',
      state: null,
      totpEnrolled: false,
    });
    expect(me.body.user.lastLoginAt).not.toBeNull();
    // A coordinator without a local second factor: the provider's counts, no enrol-only.
    expect((await p.get('/api/v1/incidents')).status).toBe(200);
    const filed = await p.post('/api/v1/incidents', incident);
    expect(filed.status).toBe(201);
    const timeline = await p.get(`/api/v1/incidents/${filed.body.id}/timeline`);
    expect(timeline.body.items[0].actor).toBe('coordinator:CCC:i.ivanova');
    // The same session on another instance.
    expect((await p.on(second.url).get('/api/v1/auth/me')).status).toBe(200);

    const [row] = await userBySubject('sub-ivanova');
    expect(row).toMatchObject({ username: 'i.ivanova', oidc_issuer: op.issuer });
    expect(row.password_hash).toBeNull();
    // No password to sign in with locally.
    const local = await new Person(service.url, seen).login('i.ivanova', 'anything-at-all-123');
    expect(local.status).toBe(401);

    const created = await admin.get('/api/v1/audit?action=user.created');
    expect(created.body.items.at(-1)).toMatchObject({
      actor: `sso:${new URL(op.issuer).host}`,
      change: { username: 'i.ivanova', role: 'coordinator', sso: true },
    });
    const signedIn = await admin.get('/api/v1/audit?action=user.signed-in');
    expect(signedIn.body.items.at(-1)).toMatchObject({
      actor: 'coordinator:CCC:i.ivanova',
      change: { method: 'oidc' },
    });
    // The client authenticated with HTTP Basic (client_secret_basic, every provider's).
    expect(op.tokenAuth).toEqual(['basic']);
    expect(op.errors).toEqual([]);
  });

  it('the next sign-in updates role, state and name from the provider and ends the old role’s sessions on every instance', async () => {
    const before = await signIn('sub-ivanova');
    const old = personWith(before.answer.headers);
    expect((await old.on(second.url).get('/api/v1/incidents')).status).toBe(200);

    op.accounts.set('sub-ivanova', {
      name: 'Irina V. Ivanova',
      preferred_username: 'someone-else',
      email: 'irina@cert.example.kz',
      ccc_groups: 'staff analyst:kz',
    });
    // The provider's redirect reaches the other instance: the attempt is shared in Redis.
    const { answer } = await signIn('sub-ivanova', second.url);
    expect(answer.status).toBe(303);
    const fresh = personWith(answer.headers, second.url);
    const me = await fresh.get('/api/v1/auth/me');
    expect(me.body.user).toMatchObject({
      username: 'i.ivanova', // kept: the subject, not preferred_username, identifies the user
      displayName: 'Irina V. Ivanova',
      role: 'analyst',
      state: 'KZ',
    });
    expect((await fresh.on(service.url).get('/api/v1/incidents')).status).toBe(200);
    // The coordinator session ended at once, everywhere.
    expect((await old.get('/api/v1/incidents')).status).toBe(401);
    expect((await old.on(second.url).get('/api/v1/auth/me')).status).toBe(401);
    expect(await userBySubject('sub-ivanova')).toHaveLength(1);

    const changed = await admin.get('/api/v1/audit?action=user.role-changed');
    expect(changed.body.items.at(-1).change).toMatchObject({
      username: 'i.ivanova',
      role: { from: 'coordinator', to: 'analyst' },
      state: { from: null, to: 'KZ' },
    });
    expect(changed.body.items.at(-1).change.sessionsEnded).toBeGreaterThanOrEqual(1);

    // Back to coordinator, then admin: each sign-in applies the provider's current roles.
    op.accounts.get('sub-ivanova')!.ccc_groups = ['admin'];
    const promoted = personWith((await signIn('sub-ivanova')).answer.headers);
    expect((await promoted.get('/api/v1/auth/me')).body.user).toMatchObject({
      role: 'admin',
      state: null,
    });
    expect((await promoted.get('/api/v1/users')).status).toBe(200);
  });

  it('no admissible role: 403, no session, no user', async () => {
    op.accounts.set('sub-viewer', {
      name: 'Viewer',
      preferred_username: 'viewer',
      ccc_groups: ['viewer', 'Admin', 'analyst:US', 'analyst'],
    });
    op.accounts.set('sub-nothing', { name: 'Nothing', preferred_username: 'nothing' });
    op.accounts.set('sub-two-states', {
      preferred_username: 'two.states',
      ccc_groups: ['analyst:BY', 'analyst:KZ'],
    });
    for (const account of ['sub-viewer', 'sub-nothing', 'sub-two-states']) {
      const { answer } = await signIn(account);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(answer.body.type).toMatch(/\/problems\/no-admissible-role$/);
      expect(answer.body.detail).toContain(CLIENT.rolesClaim);
      expect(sessionOf(answer.headers)).toBeUndefined();
      expect(await userBySubject(account)).toEqual([]);
    }
    const { rows } = await env.db.query(
      "SELECT change FROM audit_log WHERE action = 'user.sign-in-failed' ORDER BY seq",
    );
    const noRole = rows.map((r: any) => JSON.parse(r.change)).filter((c) => c.reason === 'no-role');
    expect(noRole.map((c) => c.subject)).toEqual(['sub-viewer', 'sub-nothing', 'sub-two-states']);
  });

  it('a tampered, replayed or foreign state is refused, and so is a callback in another browser', async () => {
    op.accounts.set('sub-petrov', {
      name: 'Pavel Petrov',
      preferred_username: 'p.petrov',
      ccc_groups: ['analyst:BY'],
    });
    const browser = new SsoBrowser(service.url, seen);
    const authorization = await browser.start();
    secrets.push(browser.service.get('ccc_oidc')!);
    const back = await browser.authorize(authorization, 'sub-petrov');
    secrets.push(back.searchParams.get('code')!, back.searchParams.get('state')!);

    const refused = async (redirect: URL, by: SsoBrowser = browser) => {
      const answer = await by.callback(redirect);
      expect(answer.status).toBe(400);
      expect(answer.body.type).toMatch(/\/problems\/sso-state$/);
      expect(sessionOf(answer.headers)).toBeUndefined();
    };
    // A state this service never issued (one character changed), or none.
    const tampered = new URL(back);
    const state = back.searchParams.get('state')!;
    tampered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    await refused(tampered);
    const without = new URL(back);
    without.searchParams.delete('state');
    await refused(without);
    expect(await userBySubject('sub-petrov')).toEqual([]);

    // The untouched answer, in the browser that started the attempt, signs in; once.
    const ok = await browser.callback(back);
    expect(ok.status).toBe(303);
    expect(sessionOf(ok.headers)).toBeDefined();
    secrets.push(sessionOf(ok.headers)!);
    await refused(back);

    // Login CSRF: an attacker's valid answer (their code, their state) delivered in a
    // victim's browser, which has its own attempt or none, is refused.
    const attacker = new SsoBrowser(service.url, seen);
    const attackerStart = await attacker.start();
    secrets.push(attacker.service.get('ccc_oidc')!);
    const planted = await attacker.authorize(attackerStart, 'sub-petrov');
    secrets.push(planted.searchParams.get('code')!, planted.searchParams.get('state')!);
    const victim = new SsoBrowser(service.url, seen);
    await victim.start();
    secrets.push(victim.service.get('ccc_oidc')!);
    await refused(planted, victim);
    const { rows } = await env.db.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.sign-in-failed' AND change::jsonb->>'reason' = 'state'",
    );
    expect(rows[0].n).toBe(4);
  });

  it('the nonce and the PKCE verifier are checked: a changed nonce or code challenge, or a provider error, gives no session', async () => {
    op.accounts.set('sub-orlova', {
      name: 'Olga Orlova',
      preferred_username: 'o.orlova',
      ccc_groups: ['coordinator'],
    });
    const attempt = async (tamper: (authorization: URL) => void) => {
      const browser = new SsoBrowser(service.url, seen);
      const authorization = await browser.start();
      secrets.push(browser.service.get('ccc_oidc')!, authorization.searchParams.get('nonce')!);
      tamper(authorization);
      const back = await browser.authorize(authorization, 'sub-orlova');
      secrets.push(back.searchParams.get('code') ?? '', back.searchParams.get('state')!);
      const answer = await browser.callback(back);
      expect(answer.status).toBe(401);
      expect(answer.body.type).toMatch(/\/problems\/sso-failed$/);
      expect(sessionOf(answer.headers)).toBeUndefined();
      return back;
    };
    // The provider puts this nonce into the ID token; the service expects its own.
    await attempt((a) => a.searchParams.set('nonce', randomBytes(16).toString('base64url')));
    // The code is bound to another challenge: the service's verifier does not match it.
    const other = createHash('sha256').update(randomBytes(32).toString('base64url')).digest();
    await attempt((a) => a.searchParams.set('code_challenge', other.toString('base64url')));
    // Without a challenge the provider refuses (PKCE required) and says so in the redirect.
    const back = await attempt((a) => {
      a.searchParams.delete('code_challenge');
      a.searchParams.delete('code_challenge_method');
    });
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(await userBySubject('sub-orlova')).toEqual([]);
    const { rows } = await env.db.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.sign-in-failed' AND change::jsonb->>'reason' = 'token'",
    );
    expect(rows[0].n).toBe(3);
  });

  it('a disabled person is refused; a preferred_username of a local account takes nothing over', async () => {
    const [row] = await env.db
      .query("SELECT id FROM users WHERE oidc_subject = 'sub-ivanova'")
      .then((r) => r.rows);
    expect((await admin.patch(`/api/v1/users/${row.id}`, { disabled: true })).status).toBe(200);
    const disabled = await signIn('sub-ivanova');
    expect(disabled.answer.status).toBe(403);
    expect(sessionOf(disabled.answer.headers)).toBeUndefined();
    expect((await admin.patch(`/api/v1/users/${row.id}`, { disabled: false })).status).toBe(200);

    const local = await admin.post('/api/v1/users', { username: 'break.glass', role: 'admin' });
    expect(local.status).toBe(201);
    secrets.push(local.body.activationToken);
    op.accounts.set('sub-impostor', {
      name: 'Impostor',
      preferred_username: 'Break.Glass',
      ccc_groups: ['admin'],
    });
    const impostor = await signIn('sub-impostor');
    expect(impostor.answer.status).toBe(409);
    expect(sessionOf(impostor.answer.headers)).toBeUndefined();
    const { rows } = await env.db.query(
      "SELECT oidc_subject FROM users WHERE username = 'break.glass'",
    );
    expect(rows).toEqual([{ oidc_subject: null }]);
    expect(await userBySubject('sub-impostor')).toEqual([]);
  });

  it('no code, state, nonce, cookie or client secret appears in a response, the audit log, a timeline or a log line', async () => {
    const { rows: audit } = await env.db.query('SELECT row_to_json(a)::text AS t FROM audit_log a');
    const { rows: timeline } = await env.db.query(
      'SELECT row_to_json(t)::text AS t FROM timeline_events t',
    );
    const logs = `${service.logs()}\n${second.logs()}`;
    const stores = {
      audit: audit.map((r: any) => r.t).join('\n'),
      timeline: timeline.map((r: any) => r.t).join('\n'),
      logs,
      responses: seen.join('\n'),
    };
    // The callback's request lines are there: the search below is not vacuous.
    expect(logs).toMatch(/"url":"\/api\/v1\/auth\/oidc\/callback/);
    const values = secrets.filter((s) => s && s.length >= 8);
    expect(values.length).toBeGreaterThan(40);
    for (const secret of values) {
      for (const [where, text] of Object.entries(stores)) {
        if (text.includes(secret)) throw new Error(`a secret appears in ${where}`);
      }
    }
    expect(logs).not.toMatch(/[?&](code|state)=/);
    expect((await admin.get('/api/v1/audit/verify')).body.valid).toBe(true);
  });
});
