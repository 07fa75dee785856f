import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate } from 'otplib';
import { Api } from './support/api.js';
import { Person } from './support/person.js';
import { createTestEnv, REDIS_URL, Service, startService, TestEnv } from './support/service.js';
import { mimePart, SmtpSink } from './support/smtp.js';

const run = promisify(execFile);

const incident = {
  title: 'Phishing against a bank',
  category: 'fraud/phishing',
  severity: 'high',
  tlp: 'TLP:AMBER',
  sector: 'finance',
};
const STRONG = (n: number) => `copper-lantern-misty-orbit-${n}7x`;

describe('People: accounts, sign-in, sessions, second factor', () => {
  let env: TestEnv;
  let service: Service;
  let smtp: SmtpSink;
  let admin: Api;
  /** Every response body seen, for the search for secrets at the end. */
  const seen: string[] = [];
  /** Secrets issued once: they may appear in the one response that issued them, nowhere else. */
  const secrets: string[] = [];
  const issuing: string[] = [];

  /** Creates and activates a user through the API; returns its id. */
  async function person(
    username: string,
    role: string,
    state?: string,
    email?: string,
  ): Promise<{ id: string; password: string }> {
    const created = await admin.post('/api/v1/users', {
      username,
      role,
      ...(state ? { state } : {}),
      ...(email ? { email } : {}),
      displayName: `Person ${username}`,
    });
    expect(created.status).toBe(201);
    issuing.push(created.text);
    const password = STRONG(secrets.length);
    secrets.push(created.body.activationToken, password);
    const activated = await new Person(service.url, seen).post('/api/v1/auth/activate', {
      token: created.body.activationToken,
      password,
    });
    expect(activated.status).toBe(204);
    return { id: created.body.id, password };
  }

  async function enrol(p: Person): Promise<{ secret: string; recoveryCodes: string[] }> {
    const begun = await p.request('POST', '/api/v1/auth/totp', {}, {}, { record: false });
    expect(begun.status).toBe(200);
    issuing.push(begun.text);
    secrets.push(begun.body.secret);
    const code = await generate({ secret: begun.body.secret });
    const confirmed = await p.request(
      'POST',
      '/api/v1/auth/totp/confirm',
      { code },
      {},
      { record: false },
    );
    expect(confirmed.status).toBe(200);
    issuing.push(confirmed.text);
    secrets.push(...confirmed.body.recoveryCodes);
    return { secret: begun.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
  }

  beforeAll(async () => {
    env = await createTestEnv('people');
    smtp = await SmtpSink.start();
    service = await startService(env, {
      env: { SMTP_URL: smtp.url, LOG_LEVEL: 'info' },
      timeoutMs: 120_000,
    });
    admin = new Api(service.url);
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await smtp?.close();
    await env?.cleanup();
  });

  it('admins create users with a one-time activation token, also e-mailed; never a secret listed', async () => {
    const res = await admin.post('/api/v1/users', {
      username: 'A.Petrova',
      displayName: 'Anna Petrova',
      email: 'anna@example.by',
      role: 'analyst',
      state: 'BY',
      locale: 'en',
    });
    expect(res.status).toBe(201);
    issuing.push(res.text);
    secrets.push(res.body.activationToken);
    expect(res.body).toMatchObject({
      username: 'a.petrova',
      role: 'analyst',
      state: 'BY',
      locale: 'en',
      totpEnrolled: false,
      disabled: false,
      lastLoginAt: null,
      activationEmailed: true,
    });
    expect(res.body.activationToken).toMatch(/^[\w-]{40,}$/);
    const mail = smtp.messages.find((m) => m.to.includes('anna@example.by'));
    expect(mail).toBeDefined();
    expect(mimePart(mail!.raw, 'text/plain') ?? mail!.raw).toContain(res.body.activationToken);

    const list = await admin.get('/api/v1/users');
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: any) => u.username)).toContain('a.petrova');
    expect(list.text).not.toContain(res.body.activationToken);
    expect(list.text).not.toMatch(/hash|secret/i);

    // locale defaults to ru.
    const plain = await admin.post('/api/v1/users', { username: 'n.default', role: 'coordinator' });
    expect(plain.status).toBe(201);
    issuing.push(plain.text);
    secrets.push(plain.body.activationToken);
    expect(plain.body).toMatchObject({ locale: 'ru', state: null, activationEmailed: false });

    // Field rules.
    const bad = await admin.post('/api/v1/users', { username: 'x', role: 'analyst' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['state', 'username']);
    const taken = await admin.post('/api/v1/users', { username: 'a.petrova', role: 'admin' });
    expect(taken.status).toBe(409);
    // Analysts may not manage users; coordinators may list coordinators only.
    const analystKey = await admin.createKey('analyst', 'BY');
    expect((await admin.as(analystKey).get('/api/v1/users')).status).toBe(403);
    const coordinatorKey = await admin.createKey('coordinator');
    expect((await admin.as(coordinatorKey).get('/api/v1/users')).status).toBe(403);
    expect((await admin.as(coordinatorKey).get('/api/v1/users?role=coordinator')).status).toBe(200);
  });

  it('activation refuses weak passwords (naming password) and works once', async () => {
    const created = await admin.post('/api/v1/users', { username: 'weakling', role: 'admin' });
    issuing.push(created.text);
    const token = created.body.activationToken;
    secrets.push(token);
    const anon = new Person(service.url, seen);
    for (const password of [
      'short1!',
      'password1234',
      'my-weakling-password-2026',
      'qwertyuiop123',
    ]) {
      const res = await anon.post('/api/v1/auth/activate', { token, password });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    }
    const good = STRONG(99);
    secrets.push(good);
    expect((await anon.post('/api/v1/auth/activate', { token, password: good })).status).toBe(204);
    const again = await anon.post('/api/v1/auth/activate', { token, password: STRONG(98) });
    expect(again.status).toBe(400);
    expect(again.body.errors[0].field).toBe('token');
    expect(
      (await anon.post('/api/v1/auth/activate', { token: 'nope', password: good })).status,
    ).toBe(400);
  });

  it('an unknown user and a wrong password get the same 401', async () => {
    await person('v.ivanov', 'analyst', 'KZ');
    const anon = new Person(service.url, seen);
    const wrong = await anon.login('v.ivanov', 'not-the-password-at-all');
    const unknown = await anon.login('nobody-here', 'not-the-password-at-all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.type).toMatch(/\/problems\/invalid-credentials$/);
    const strip = (b: any) => ({ ...b, instance: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(anon.setCookie).toBeNull();
  });

  it('a person signs in: cookie attributes, me, data routes, CSRF and Origin, actors name the person', async () => {
    const { password } = await person('s.orlov', 'analyst', 'BY');
    const p = new Person(service.url, seen);
    const login = await p.login('S.Orlov', password);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ username: 's.orlov', role: 'analyst', state: 'BY' });
    expect(login.body.csrfToken).toEqual(expect.any(String));
    const cookie = p.setCookie!;
    expect(cookie).toMatch(/^ccc_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // http public URL
    secrets.push(p.cookie!.slice('ccc_session='.length));

    const me = await p.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('s.orlov');
    expect(me.body.user.lastLoginAt).not.toBeNull();
    expect(me.body.csrfToken).toEqual(expect.any(String));

    expect((await p.get('/api/v1/incidents')).status).toBe(200);
    // Writes need the CSRF token, and a sent Origin must be the service's own.
    const noCsrf = await p.request('POST', '/api/v1/incidents', incident, {}, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.type).toMatch(/\/problems\/csrf$/);
    const badCsrf = await p.request(
      'POST',
      '/api/v1/incidents',
      incident,
      {
        'x-csrf-token': 'forged',
      },
      { csrf: false },
    );
    expect(badCsrf.status).toBe(403);
    const foreign = await p.post('/api/v1/incidents', incident, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.type).toMatch(/\/problems\/csrf$/);
    const { rows: before } = await env.db.query('SELECT count(*)::int AS n FROM incidents');
    expect(before[0].n).toBe(0);

    // The service's own origin: the one the request is sent to (CCC_PUBLIC_URL is unset).
    const filed = await p.post('/api/v1/incidents', incident, {
      origin: new URL(service.url).origin,
    });
    expect(filed.status).toBe(201);
    expect(filed.body.reportingState).toBe('BY');
    const comment = await p.post(`/api/v1/incidents/${filed.body.id}/comments`, { body: 'seen' });
    expect(comment.status).toBe(201);
    const timeline = await p.get(`/api/v1/incidents/${filed.body.id}/timeline`);
    const actors = timeline.body.items.map((e: any) => e.actor);
    expect(actors).toContain('analyst:BY:s.orlov');
    expect(actors.every((a: string) => a === 'analyst:BY:s.orlov')).toBe(true);
    const audit = await admin.get('/api/v1/audit?action=incident.created');
    expect(audit.body.items.at(-1).actor).toBe('analyst:BY:s.orlov');
    const signIns = await admin.get('/api/v1/audit?action=user.signed-in');
    expect(signIns.body.items.map((e: any) => e.actor)).toContain('analyst:BY:s.orlov');

    // Roles are the same for a person: an analyst may not triage.
    const patch = await p.patch(`/api/v1/incidents/${filed.body.id}`, { severity: 'low' });
    expect(patch.status).toBe(403);
    // An API key may not use the session routes.
    expect((await admin.get('/api/v1/auth/me')).status).toBe(403);
    // Without anything: 401.
    expect((await new Person(service.url, seen).get('/api/v1/incidents')).status).toBe(401);
  });

  it('logout ends the session everywhere; idle and absolute timeouts end it too', async () => {
    const { password } = await person('k.belov', 'analyst', 'KG');
    const p = new Person(service.url, seen);
    expect((await p.login('k.belov', password)).status).toBe(200);
    const stolen = p.cookie!;
    secrets.push(stolen.slice('ccc_session='.length));
    // Logout is a write: CSRF applies.
    expect((await p.request('POST', '/api/v1/auth/logout', {}, {}, { csrf: false })).status).toBe(
      403,
    );
    const out = await p.post('/api/v1/auth/logout');
    expect(out.status).toBe(204);
    expect(p.setCookie).toMatch(/^ccc_session=;/);
    const replay = new Person(service.url, seen);
    replay.cookie = stolen;
    expect((await replay.get('/api/v1/auth/me')).status).toBe(401);
    expect((await replay.get('/api/v1/incidents')).status).toBe(401);
    const { rows } = await env.db.query(
      "SELECT action, actor FROM audit_log WHERE action = 'user.signed-out'",
    );
    expect(rows).toEqual([{ action: 'user.signed-out', actor: 'analyst:KG:k.belov' }]);

    // Idle: last seen longer ago than CCC_SESSION_IDLE_MINUTES (30).
    expect((await p.login('k.belov', password)).status).toBe(200);
    expect((await p.get('/api/v1/auth/me')).status).toBe(200);
    await env.db.query(
      "UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE user_id = (SELECT id FROM users WHERE username = 'k.belov')",
    );
    expect((await p.get('/api/v1/auth/me')).status).toBe(401);
    // Absolute: past CCC_SESSION_MAX_HOURS even if busy.
    expect((await p.login('k.belov', password)).status).toBe(200);
    await env.db.query(
      "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE username = 'k.belov')",
    );
    expect((await p.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('a coordinator without a second factor gets an enrol-only session, then enrols', async () => {
    const { password } = await person('m.sokolov', 'coordinator');
    const p = new Person(service.url, seen);
    const login = await p.login('m.sokolov', password);
    expect(login.status).toBe(200);
    expect(login.body.user.totpEnrolled).toBe(false);
    expect((await p.get('/api/v1/auth/me')).status).toBe(200);
    const data = await p.get('/api/v1/incidents');
    expect(data.status).toBe(403);
    expect(data.body.type).toMatch(/second-factor-enrolment-required$/);
    expect((await p.get('/api/v1/member-states')).status).toBe(403);
    expect(
      (await p.post('/api/v1/auth/password', { current: password, password: STRONG(7) })).status,
    ).toBe(403);
    // It may log out (another enrol-only session of the same person here).
    const other = new Person(service.url, seen);
    expect((await other.login('m.sokolov', password)).status).toBe(200);
    expect((await other.post('/api/v1/auth/logout')).status).toBe(204);
    expect((await other.get('/api/v1/auth/me')).status).toBe(401);

    const begun = await p.request('POST', '/api/v1/auth/totp', {}, {}, { record: false });
    expect(begun.status).toBe(200);
    issuing.push(begun.text);
    secrets.push(begun.body.secret);
    expect(begun.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/CCC:m\.sokolov\?/);
    expect(begun.body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const wrong = await p.post('/api/v1/auth/totp/confirm', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('code');
    const code = await generate({ secret: begun.body.secret });
    const confirmed = await p.request(
      'POST',
      '/api/v1/auth/totp/confirm',
      { code },
      {},
      {
        record: false,
      },
    );
    expect(confirmed.status).toBe(200);
    issuing.push(confirmed.text);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    secrets.push(...confirmed.body.recoveryCodes);
    expect((await p.get('/api/v1/incidents')).status).toBe(200);
    const { rows } = await env.db.query(
      "SELECT totp_secret FROM users WHERE username = 'm.sokolov'",
    );
    expect(rows[0].totp_secret).toMatch(/^v1\./); // sealed with the data key
    expect(rows[0].totp_secret).not.toContain(begun.body.secret);
    const enrolled = await admin.get('/api/v1/audit?action=user.totp-enrolled');
    expect(enrolled.body.items.map((e: any) => e.actor)).toContain('coordinator:CCC:m.sokolov');
  });

  it('second factor: missing and wrong codes refused, a code never twice, a recovery code once', async () => {
    const { password } = await person('o.kim', 'admin');
    const p = new Person(service.url, seen);
    expect((await p.login('o.kim', password)).status).toBe(200);
    const { secret, recoveryCodes } = await enrol(p);
    const anon = new Person(service.url, seen);
    const missing = await anon.login('o.kim', password);
    expect(missing.status).toBe(401);
    expect(missing.body.type).toMatch(/\/problems\/second-factor-required$/);
    const wrong = await anon.login('o.kim', password, '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toMatch(/\/problems\/second-factor-required$/);
    expect(anon.setCookie).toBeNull();
    // The next step's code (the current one was used by the enrolment).
    const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const ok = await anon.login('o.kim', password, next);
    expect(ok.status).toBe(200);
    expect((await anon.get('/api/v1/audit')).status).toBe(200);
    const replayed = await new Person(service.url, seen).login('o.kim', password, next);
    expect(replayed.status).toBe(401);

    const viaRecovery = new Person(service.url, seen);
    expect((await viaRecovery.login('o.kim', password, recoveryCodes[3])).status).toBe(200);
    expect((await viaRecovery.get('/api/v1/auth/me')).status).toBe(200);
    const reused = await new Person(service.url, seen).login('o.kim', password, recoveryCodes[3]);
    expect(reused.status).toBe(401);
    expect(reused.body.type).toMatch(/second-factor-required$/);
    const { rows } = await env.db.query(
      "SELECT change FROM audit_log WHERE action = 'user.signed-in' AND actor = 'admin:CCC:o.kim' ORDER BY seq",
    );
    expect(rows.map((r: any) => JSON.parse(r.change).secondFactor)).toEqual([
      null,
      'totp',
      'recovery',
    ]);
  });

  it('five failures lock a username for the window, even for the right password', async () => {
    const { password } = await person('t.lockme', 'analyst', 'TJ');
    const anon = new Person(service.url, seen);
    for (let i = 0; i < 5; i++) {
      expect((await anon.login('t.lockme', `wrong-password-${i}`)).status).toBe(401);
    }
    const locked = await anon.login('t.lockme', password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    expect(anon.setCookie).toBeNull();
    // An operator lifts the lock at once as docs/operating.md says (the username's key).
    const hash = createHash('sha256').update('t.lockme').digest('hex');
    expect(await env.redis.del(`{${env.queuePrefix}}:login:user:${hash}`)).toBe(1);
    expect((await anon.login('T.LockMe', password)).status).toBe(200);
    // An unknown name counts the same way (no hint that it does not exist).
    for (let i = 0; i < 5; i++) await anon.login('t.ghost', `wrong-password-${i}`);
    expect((await anon.login('t.ghost', 'whatever-password')).status).toBe(429);
    const { rows } = await env.db.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'user.sign-in-failed' AND target_id = (SELECT id::text FROM users WHERE username = 't.lockme')",
    );
    expect(rows[0].n).toBe(5);
  });

  it('a person changes their password: policy applies, other sessions end', async () => {
    const { password } = await person('p.new', 'analyst', 'AM');
    const a = new Person(service.url, seen);
    const b = new Person(service.url, seen);
    expect((await a.login('p.new', password)).status).toBe(200);
    expect((await b.login('p.new', password)).status).toBe(200);
    const weak = await a.post('/api/v1/auth/password', {
      current: password,
      password: 'p.new-password-1',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0].field).toBe('password');
    const wrong = await a.post('/api/v1/auth/password', {
      current: 'not-it-at-all',
      password: STRONG(55),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('current');
    const fresh = STRONG(56);
    secrets.push(fresh);
    expect(
      (await a.post('/api/v1/auth/password', { current: password, password: fresh })).status,
    ).toBe(204);
    expect((await a.get('/api/v1/auth/me')).status).toBe(200);
    expect((await b.get('/api/v1/auth/me')).status).toBe(401);
    expect((await new Person(service.url, seen).login('p.new', fresh)).status).toBe(200);
  });

  it('a change of role, state or disabled ends sessions at once on another instance; reset too', async () => {
    const second = await startService(env, { role: 'api', timeoutMs: 120_000 });
    try {
      const { id, password } = await person('r.gromov', 'analyst', 'RU');
      const p = new Person(service.url, seen);
      expect((await p.login('r.gromov', password)).status).toBe(200);
      const elsewhere = p.on(second.url);
      expect((await elsewhere.get('/api/v1/incidents')).status).toBe(200);

      const changed = await admin.patch(`/api/v1/users/${id}`, { state: 'KZ' });
      expect(changed.status).toBe(200);
      expect(changed.body.state).toBe('KZ');
      expect((await elsewhere.get('/api/v1/incidents')).status).toBe(401);

      expect((await p.login('r.gromov', password)).status).toBe(200);
      expect((await p.on(second.url).get('/api/v1/auth/me')).status).toBe(200);
      const promoted = await new Api(second.url).patch(`/api/v1/users/${id}`, {
        role: 'coordinator',
      });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ role: 'coordinator', state: null });
      expect((await p.get('/api/v1/auth/me')).status).toBe(401);
      const roleAudit = await admin.get(`/api/v1/audit?action=user.role-changed&targetId=${id}`);
      expect(roleAudit.body.items[0].change.role).toEqual({ from: 'analyst', to: 'coordinator' });
      // A change of display name alone keeps sessions.
      await admin.patch(`/api/v1/users/${id}`, { role: 'analyst', state: 'RU' });
      expect((await p.login('r.gromov', password)).status).toBe(200);
      await admin.patch(`/api/v1/users/${id}`, { displayName: 'Roman Gromov' });
      expect((await p.on(second.url).get('/api/v1/auth/me')).status).toBe(200);
      // Disabled: no session works and sign-in fails like a wrong password.
      await admin.patch(`/api/v1/users/${id}`, { disabled: true });
      expect((await p.on(second.url).get('/api/v1/auth/me')).status).toBe(401);
      expect((await new Person(second.url, seen).login('r.gromov', password)).status).toBe(401);
      await admin.patch(`/api/v1/users/${id}`, { disabled: false });

      // Reset: sessions end, the password no longer works, a new token activates.
      expect((await p.login('r.gromov', password)).status).toBe(200);
      const reset = await admin.post(`/api/v1/users/${id}/reset`);
      expect(reset.status).toBe(200);
      issuing.push(reset.text);
      secrets.push(reset.body.activationToken);
      expect((await p.on(second.url).get('/api/v1/auth/me')).status).toBe(401);
      expect((await new Person(service.url, seen).login('r.gromov', password)).status).toBe(401);
      const fresh = STRONG(77);
      secrets.push(fresh);
      expect(
        (
          await new Person(second.url, seen).post('/api/v1/auth/activate', {
            token: reset.body.activationToken,
            password: fresh,
          })
        ).status,
      ).toBe(204);
      expect((await new Person(second.url, seen).login('r.gromov', fresh)).status).toBe(200);
      const actions = (await admin.get(`/api/v1/audit?targetId=${id}`)).body.items.map(
        (e: any) => e.action,
      );
      expect(actions).toEqual(
        expect.arrayContaining([
          'user.created',
          'user.activated',
          'user.role-changed',
          'user.reset',
        ]),
      );
    } finally {
      await second.stop();
    }
  });

  it('npm run user:create makes the first admin and prints its activation link once', async () => {
    const cli = path.resolve('dist/users/user-create.cli.js');
    const env2 = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: env.databaseUrl,
      REDIS_URL,
      CCC_QUEUE_PREFIX: env.queuePrefix,
    };
    const { stdout } = await run(process.execPath, [cli, '--username', 'root', '--role', 'admin'], {
      env: env2,
    });
    const token = /Activation token: (\S+)/.exec(stdout)![1];
    expect(stdout).toContain(`/console/activate#token=${token}`);
    secrets.push(token);
    const password = STRONG(11);
    secrets.push(password);
    expect(
      (await new Person(service.url, seen).post('/api/v1/auth/activate', { token, password }))
        .status,
    ).toBe(204);
    const root = new Person(service.url, seen);
    const login = await root.login('root', password);
    expect(login.body.user.role).toBe('admin');
    // Refused input names the option.
    await expect(
      run(process.execPath, [cli, '--username', 'x', '--role', 'boss'], { env: env2 }),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/--username[\s\S]*--role/) });
    // Recovery of a locked-out admin: --reset prints a new link.
    const { stdout: again } = await run(process.execPath, [cli, '--username', 'root', '--reset'], {
      env: env2,
    });
    expect(again).toMatch(/Reset user root/);
    secrets.push(/Activation token: (\S+)/.exec(again)![1]);
    expect((await root.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('assignee: a coordinator assigns to themselves, and me and none filter the list', async () => {
    const { password } = await person('c.duty', 'coordinator');
    const p = new Person(service.url, seen);
    expect((await p.login('c.duty', password)).status).toBe(200);
    await enrol(p);
    const filed = await p.post('/api/v1/incidents', { ...incident, reportingState: 'KZ' });
    expect(filed.status).toBe(201);
    const other = await p.post('/api/v1/incidents', { ...incident, reportingState: 'AM' });
    const assigned = await p.patch(`/api/v1/incidents/${filed.body.id}`, { assignee: 'c.duty' });
    expect(assigned.status).toBe(200);
    expect(assigned.body.assignee).toBe('c.duty');
    const timeline = await p.get(`/api/v1/incidents/${filed.body.id}/timeline`);
    expect(timeline.body.items.find((e: any) => e.type === 'assigned').actor).toBe(
      'coordinator:CCC:c.duty',
    );
    const mine = await p.get('/api/v1/incidents?assignee=me');
    expect(mine.body.items.map((i: any) => i.id)).toEqual([filed.body.id]);
    const none = await p.get('/api/v1/incidents?assignee=none&limit=200');
    const ids = none.body.items.map((i: any) => i.id);
    expect(ids).toContain(other.body.id);
    expect(ids).not.toContain(filed.body.id);
    // An analyst is not an assignee.
    const refused = await p.patch(`/api/v1/incidents/${other.body.id}`, { assignee: 's.orlov' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].field).toBe('assignee');
  });

  it('failures from one address are limited too', async () => {
    const anon = new Person(service.url, seen);
    let status = 0;
    let tries = 0;
    while (status !== 429 && tries < 25) {
      tries++;
      status = (await anon.login(`spray-${tries}`, 'guessed-password-1')).status;
    }
    expect(status).toBe(429);
    expect(tries).toBeLessThanOrEqual(21);
  });

  it('OpenAPI documents the people routes and both security schemes', async () => {
    const docs = await new Person(service.url, seen).get('/docs-json');
    expect(docs.status).toBe(200);
    const { paths, components } = docs.body;
    expect(components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      cookie: { type: 'apiKey', in: 'cookie', name: 'ccc_session' },
    });
    const routes: [string, string][] = [
      ['post', '/api/v1/users'],
      ['get', '/api/v1/users'],
      ['patch', '/api/v1/users/{id}'],
      ['post', '/api/v1/users/{id}/reset'],
      ['post', '/api/v1/auth/activate'],
      ['post', '/api/v1/auth/login'],
      ['get', '/api/v1/auth/me'],
      ['post', '/api/v1/auth/logout'],
      ['post', '/api/v1/auth/totp'],
      ['post', '/api/v1/auth/totp/confirm'],
      ['post', '/api/v1/auth/password'],
      ['get', '/api/v1/auth/oidc/login'],
      ['get', '/api/v1/auth/oidc/callback'],
    ];
    for (const [method, route] of routes) {
      expect({ route, method, documented: paths[route]?.[method] !== undefined }).toEqual({
        route,
        method,
        documented: true,
      });
    }
    const schemes = (method: string, route: string) =>
      (paths[route][method].security ?? []).flatMap((s: object) => Object.keys(s)).sort();
    // Keys and sessions reach the same routes; session routes take only the cookie.
    expect(schemes('get', '/api/v1/incidents')).toEqual(['bearer', 'cookie']);
    expect(schemes('post', '/api/v1/users')).toEqual(['bearer', 'cookie']);
    expect(schemes('get', '/api/v1/auth/me')).toEqual(['cookie']);
    expect(schemes('post', '/api/v1/auth/login')).toEqual([]);
    expect(schemes('get', '/api/v1/auth/oidc/callback')).toEqual([]);
    const login = paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema;
    const loginDto = components.schemas[login.$ref.split('/').pop()];
    expect(Object.keys(loginDto.properties).sort()).toEqual(['code', 'password', 'username']);
  });

  it('without CCC_OIDC_ISSUER the single sign-on routes answer 404', async () => {
    const anon = new Person(service.url, seen);
    for (const path of ['/api/v1/auth/oidc/login', '/api/v1/auth/oidc/callback?state=x&code=y']) {
      const res = await anon.get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('no password, token, code or secret appears in responses, the audit log, timelines or logs', async () => {
    const { rows: audit } = await env.db.query('SELECT row_to_json(a)::text AS t FROM audit_log a');
    const { rows: timeline } = await env.db.query(
      'SELECT row_to_json(t)::text AS t FROM timeline_events t',
    );
    const stores = {
      audit: audit.map((r: any) => r.t).join('\n'),
      timeline: timeline.map((r: any) => r.t).join('\n'),
      logs: service.logs(),
      responses: seen.filter((s) => !issuing.some((i) => s.endsWith(i))).join('\n'),
    };
    expect(secrets.length).toBeGreaterThan(30);
    expect(stores.logs).toMatch(/request completed/); // the log is there to search
    for (const secret of secrets) {
      for (const [where, text] of Object.entries(stores)) {
        if (text.includes(secret)) throw new Error(`a secret appears in ${where}`);
      }
    }
    expect((await admin.get('/api/v1/audit/verify')).body.valid).toBe(true);
  });
});
