// SIGTERM while filing at full speed, several rounds: every answer must be a 201, the exit
// code 0, and the log free of errors (such as a pool used after it was closed). Not part of
// `npm run bench` (it measures nothing); run it with `node bench/sigterm.js` after a build.
// BENCH_ROUNDS rounds (default 8), each stopping the service at a later moment.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DIST, freePort, migratedDatabase, REDIS_URL, SERVICE_NODE_FLAGS } from './lib/common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

let n = 0;
function incidentBody() {
  n += 1;
  return JSON.stringify({
    title: `Shutdown probe ${n}`,
    category: 'fraud/phishing',
    severity: 'high',
    tlp: 'TLP:AMBER',
    sector: 'government',
    affectedStates: ['KZ'],
    observables: [{ type: 'domain', value: `login-${n}.gov-portal.example` }],
  });
}

async function round(db, i) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(DIST, 'main.js')], {
    env: {
      PATH: process.env.PATH,
      REDIS_URL,
      DATABASE_URL: db.url,
      CCC_QUEUE_PREFIX: db.name,
      CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      CCC_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const { key } = await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `probe ${i}`, role: 'analyst', state: 'BY' }),
  }).then((r) => r.json());

  const statuses = {};
  const cannon = autocannon({
    url: `${url}/api/v1/incidents`,
    method: 'POST',
    connections: 32,
    duration: 10,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: incidentBody() }) }],
  });
  cannon.on('response', (_client, status) => (statuses[status] = (statuses[status] ?? 0) + 1));
  setTimeout(() => child.kill('SIGTERM'), 1500 + i * 250);
  const code = await exited;
  cannon.stop();
  const errors = log.split('\n').filter((line) => /"level":(50|60)|Error/.test(line));
  const ok = code === 0 && Object.keys(statuses).every((s) => s === '201') && !errors.length;
  console.log(JSON.stringify({ round: i, ok, code, statuses, errors: errors.slice(0, 3) }));
  return ok;
}

const db = await migratedDatabase('sigterm');
let failed = 0;
try {
  for (let i = 0; i < ROUNDS; i++) if (!(await round(db, i))) failed++;
} finally {
  await db.drop();
}
console.log(`sigterm: ${ROUNDS - failed}/${ROUNDS} rounds clean`);
process.exitCode = failed ? 1 : 0;
