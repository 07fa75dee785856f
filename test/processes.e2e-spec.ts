import { readFileSync } from 'node:fs';
import { Api } from './support/api.js';
import { createTestEnv, startService, type Service, type TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';
import { setContacts, WebhookReceiver } from './support/webhook-receiver.js';

/** The default layout on two or more cores: one command, an API and a worker process. */
describe('Role all as two processes (CCC_PROCESSES=auto)', () => {
  let env: TestEnv;
  let service: Service;
  let receiver: WebhookReceiver;
  let admin: Api;

  beforeAll(async () => {
    env = await createTestEnv('processes');
    receiver = await WebhookReceiver.start();
    service = await startService(env, { env: { CCC_PROCESSES: 'auto' }, timeoutMs: 120_000 });
    admin = new Api(service.url);
  }, 150_000);

  afterAll(async () => {
    await service?.kill();
    await receiver?.close();
    await env?.cleanup();
  });

  /** The supervisor's children and their roles (from /proc). */
  const children = () => childrenOf(service.process.pid!);

  it('runs the API and the worker as children of one process, restarts one that dies, drains both on SIGTERM', async () => {
    await waitFor(() => children().length === 2, {
      what: 'two child processes',
      timeoutMs: 90_000,
    });
    expect(
      children()
        .map((c) => c.role)
        .sort(),
    ).toEqual(['api', 'worker']);

    // The worker process delivers what the API process accepted.
    const endpoint = receiver.endpoint();
    await setContacts(admin, 'KZ', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const analyst = await admin.createKey('analyst', 'BY');
    const file = async () => {
      const res = await admin.as(analyst).post('/api/v1/incidents', {
        title: 'Split processes',
        category: 'fraud/phishing',
        severity: 'high',
        tlp: 'TLP:AMBER',
        sector: 'finance',
        affectedStates: ['KZ'],
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const first = await file();
    await waitFor(() => endpoint.requests.some((r) => r.body.includes(first)), {
      what: 'the first webhook',
    });

    // A worker that dies is restarted, and what was filed meanwhile is delivered.
    const before = children();
    const worker = before.find((c) => c.role === 'worker')!;
    process.kill(worker.pid, 'SIGKILL');
    const second = await file();
    await waitFor(
      () => {
        const now = children();
        return now.length === 2 && !now.some((c) => c.pid === worker.pid);
      },
      // A loaded 2-core machine can take a while to start a process.
      { what: 'a new worker process', timeoutMs: 90_000 },
    );
    await waitFor(() => endpoint.requests.some((r) => r.body.includes(second)), {
      what: 'the webhook filed while the worker was down',
      timeoutMs: 90_000,
    });

    // SIGTERM drains both children; the supervisor exits 0 once they have.
    const last = children().map((c) => c.pid);
    expect(await service.stop()).toBe(0);
    for (const pid of last) expect(alive(pid)).toBe(false);
  }, 300_000);

  it('children of a supervisor that was killed drain and exit on their own', async () => {
    const other = await startService(env, {
      env: { CCC_PROCESSES: 'auto' },
      timeoutMs: 120_000,
    });
    await waitFor(() => childrenOf(other.process.pid!).length === 2, {
      what: 'two child processes',
    });
    const orphans = childrenOf(other.process.pid!).map((c) => c.pid);
    await other.kill();
    await waitFor(() => orphans.every((pid) => !alive(pid)), {
      what: 'the orphaned children gone',
      timeoutMs: 60_000,
    });
  }, 180_000);
});

function childrenOf(pid: number): { pid: number; role: string }[] {
  let list: string[] = [];
  try {
    list = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  } catch {
    return [];
  }
  return list.map((p) => {
    const environ = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
    const role = environ.find((e) => e.startsWith('CCC_ROLE='))?.slice('CCC_ROLE='.length);
    return { pid: Number(p), role: role ?? '' };
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
