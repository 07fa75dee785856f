import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Api } from './support/api.js';
import { dataKeyId, newDataKey, openSealed } from './support/sealed.js';
import { createTestEnv, runToExit, Service, startService, TestEnv } from './support/service.js';
import {
  emitEvent,
  Endpoint,
  eventually,
  setContacts,
  WebhookReceiver,
} from './support/webhook-receiver.js';

const DIST = path.resolve(process.env.CCC_TEST_DIST ?? 'dist');

/**
 * Webhook secrets at rest: sealed with CCC_DATA_KEY (or a key file made once when it is
 * unset), re-sealed at start when clear or under an old key, and `npm run secrets:rotate`.
 * One database through several starts with different keys.
 */
describe('Stored secrets and CCC_DATA_KEY', () => {
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-secrets-'));
  const keyFile = path.join(keyDir, 'nested', 'data-key');
  const [k1, k2, k3] = [newDataKey(), newDataKey(), newDataKey()];
  let env: TestEnv;
  let receiver: WebhookReceiver;
  let hook: Endpoint;
  let service: Service | undefined;

  const storedSecret = async (): Promise<string> =>
    (await env.db.query("SELECT secret FROM contacts WHERE party = 'BY'")).rows[0].secret;
  const start = async (extra: Record<string, string>) => {
    service = await startService(env, { env: { CCC_DATA_KEY_FILE: keyFile, ...extra } });
    return new Api(service.url);
  };
  const stop = async () => {
    await service?.stop();
    service = undefined;
  };
  /** An event to BY; resolves with its delivery once it made an attempt. */
  async function deliverOne() {
    const eventId = await emitEvent(env.db, {
      type: 'incident.routed',
      party: 'BY',
      incidentId: randomUUID(),
      data: { incident: { id: randomUUID(), reference: 'CCC-2026-000001' } },
    });
    return eventually(async () => {
      const { rows } = await env.db.query('SELECT * FROM deliveries WHERE event_id = $1', [
        eventId,
      ]);
      return rows[0]?.attempts >= 1 ? rows[0] : null;
    }, 'an attempt');
  }
  function rotate(extra: Record<string, string>) {
    const child = spawn(process.execPath, [path.join(DIST, 'rotate-secrets.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: env.databaseUrl,
        CCC_DATA_KEY_FILE: keyFile,
        LOG_LEVEL: 'warn',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return new Promise<{ code: number | null; output: string }>((resolve) =>
      child.once('exit', (code) => resolve({ code, output })),
    );
  }

  beforeAll(async () => {
    env = await createTestEnv('secrets');
    receiver = await WebhookReceiver.start();
    hook = receiver.endpoint();
  });

  afterAll(async () => {
    await stop();
    await receiver?.close();
    await env?.cleanup();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  it('without CCC_DATA_KEY makes a key file once (0600), warns, and seals with it', async () => {
    const admin = await start({});
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(service!.logs()).toMatch(/production should set CCC_DATA_KEY/);
    const fileKey = fs.readFileSync(keyFile, 'utf8').trim();
    await setContacts(admin, 'BY', [{ type: 'webhook', url: hook.url, secret: hook.secret }]);
    const stored = await storedSecret();
    expect(stored).not.toContain(hook.secret.slice(6, 14));
    expect(stored.split('.')[1]).toBe(dataKeyId(fileKey));
    expect(openSealed(stored, fileKey)).toBe(hook.secret);
    // Nor in the audit log of the change.
    const audit = JSON.stringify((await env.db.query('SELECT * FROM audit_log')).rows);
    expect(audit).toContain('contacts.replaced');
    expect(audit).not.toContain(hook.secret.slice(6, 14));
    expect((await deliverOne()).status).toBe('delivered');
    expect(hook.requests.at(-1)?.verified).toBe(true);

    // A second start reads the same file: the stored secret still opens.
    await stop();
    await start({});
    expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(fileKey);
    expect((await deliverOne()).status).toBe('delivered');
    expect(hook.requests.at(-1)?.verified).toBe(true);
    await stop();
  });

  it('seals legacy clear secrets at start', async () => {
    // As a database from before encryption holds it.
    await env.db.query("UPDATE contacts SET secret = $1 WHERE party = 'BY'", [hook.secret]);
    await start({ CCC_DATA_KEY: k1 });
    const stored = await storedSecret();
    expect(stored).not.toBe(hook.secret);
    expect(openSealed(stored, k1)).toBe(hook.secret);
    expect((await deliverOne()).status).toBe('delivered');
    expect(hook.requests.at(-1)?.verified).toBe(true);
    await stop();
  });

  it('rotates: the first key seals, old keys open, secrets:rotate re-seals', async () => {
    const rotated = await rotate({ CCC_DATA_KEY: `${k2},${k1}` });
    expect(rotated.code).toBe(0);
    expect(rotated.output).toMatch(/older keys may be removed/);
    expect((await storedSecret()).split('.')[1]).toBe(dataKeyId(k2));
    expect(openSealed(await storedSecret(), k2)).toBe(hook.secret);

    // k1 is gone from the list; everything still signs.
    await start({ CCC_DATA_KEY: k2 });
    expect((await deliverOne()).status).toBe('delivered');
    expect(hook.requests.at(-1)?.verified).toBe(true);
  });

  it('a value sealed with a key no longer configured fails the attempt clearly, not the worker', async () => {
    // Sealed with k3 behind the back of a service that only knows k2; slow retries, so the
    // delivery is still pending when the key comes back.
    await stop();
    await start({ CCC_DATA_KEY: k2, CCC_WEBHOOK_BACKOFF_MS: '3000' });
    expect((await rotate({ CCC_DATA_KEY: `${k3},${k2}` })).code).toBe(0);
    const before = hook.requests.length;
    const delivery = await deliverOne();
    expect(delivery.status).toBe('pending');
    expect(delivery.last_error).toBe(
      `webhook secret: sealed with data key ${dataKeyId(k3)}, which is not configured (CCC_DATA_KEY)`,
    );
    expect(hook.requests.length).toBe(before);
    expect((await fetch(`${service!.url}/health/ready`)).status).toBe(200);
    await stop();

    // The check before removing a key says it is still needed.
    const check = await rotate({ CCC_DATA_KEY: k2 });
    expect(check.code).toBe(2);
    expect(check.output).toMatch(/1 value\(s\) are sealed with a key that is not in CCC_DATA_KEY/);
    // Restoring the key lets the waiting delivery go.
    await start({ CCC_DATA_KEY: `${k2},${k3}` });
    await eventually(
      async () =>
        (await env.db.query('SELECT status FROM deliveries WHERE id = $1', [delivery.id])).rows[0]
          .status === 'delivered',
      'the delivery after the key came back',
      60_000,
    );
    expect(hook.requests.at(-1)?.verified).toBe(true);
    await stop();
  });

  it('refuses a malformed CCC_DATA_KEY at start, naming it without quoting it', async () => {
    const short = Buffer.alloc(20, 1).toString('base64');
    const { code, output } = await runToExit({
      DATABASE_URL: env.databaseUrl,
      CCC_DATA_KEY: `${k1},${short}`,
    });
    expect(code).toBe(1);
    expect(output).toMatch(/CCC_DATA_KEY: key 2 is 20 bytes/);
    expect(output).not.toContain(k1);
    expect(output).not.toContain(short);
  });
});
