// Attachments benchmark: upload and download throughput of one 25 MiB file through the API,
// against writing and reading the same bytes with the pg driver's COPY (binary, through
// pg-copy-streams) into the same table in the same run, and the service's RSS during four
// concurrent uploads.
//
//   npm run build && node bench/attachments.bench.js
//   BENCH_ONLY=attachments npm run bench
//
// Uses the built service (dist/, or BENCH_DIST) on a scratch database it creates, migrates
// and drops. BENCH_ROUNDS (default 3) repetitions of each measurement; BENCH_MIB (default
// 25) the file size. Prints one JSON line per figure; the goal is a ratio (COPY / API
// throughput) within 2. Times are reported, never asserted.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import {
  backendsOf,
  cpuMs,
  figure,
  migratedDatabase,
  processTree,
  rssMb,
  startService,
} from './lib/common.js';

const BENCH = 'attachments';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MIB ?? 25) * MIB;
const CHUNK = 256 * 1024; // as PgAttachmentStore
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

const mbps = (bytes, ms) => bytes / MIB / (ms / 1000);

/** A multipart upload streamed from `data`, with backpressure; resolves with the JSON answer. */
function upload(url, key, incidentId, data, name) {
  const boundary = `----bench${randomBytes(6).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/incidents/${incidentId}/attachments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + data.length + tail.length),
      },
    });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (res.statusCode !== 201) reject(new Error(`upload: ${res.statusCode} ${body.detail}`));
        else resolve(body);
      });
    });
    req.on('error', reject);
    void (async () => {
      for (const part of [head, data, tail]) {
        for (let at = 0; at < part.length; at += 64 * 1024) {
          if (!req.write(part.subarray(at, at + 64 * 1024))) {
            await new Promise((r) => req.once('drain', r));
          }
        }
      }
      req.end();
    })();
  });
}

/**
 * A download read straight from a TCP socket and counted, nothing kept: the response head
 * is parsed by hand and the body bytes counted up to Content-Length. As light a reader as
 * the COPY baseline's (node:http copies every body piece, and fetch's web streams cost
 * more again), since it runs on the same two cores as the service and PostgreSQL.
 */
function download(url, key, path) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    socket.on('error', reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        `Authorization: Bearer ${key}\r\nConnection: close\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    let length = -1;
    let bytes = 0;
    socket.on('data', (piece) => {
      if (length < 0) {
        head = Buffer.concat([head, piece]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const text = head.subarray(0, end).toString('latin1');
        const status = Number(text.split(' ')[1]);
        if (status !== 200) {
          socket.destroy();
          reject(new Error(`download: ${status}`));
          return;
        }
        length = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? NaN);
        bytes = head.length - end - 4;
      } else bytes += piece.length;
      if (bytes >= length) {
        socket.destroy();
        resolve(bytes);
      }
    });
    socket.on('close', () => reject(new Error(`download: closed after ${bytes} bytes`)));
  });
}

/** PostgreSQL binary COPY rows (attachment_id uuid, seq int4, data bytea) for `data`. */
function* binaryCopyRows(attachmentId, data) {
  const header = Buffer.alloc(19);
  header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  yield header; // flags and header extension length are zero
  const uuid = Buffer.from(attachmentId.replace(/-/g, ''), 'hex');
  for (let seq = 0, at = 0; at < data.length; seq++, at += CHUNK) {
    const bytes = data.subarray(at, at + CHUNK);
    const row = Buffer.alloc(2 + 4 + 16 + 4 + 4 + 4);
    row.writeInt16BE(3, 0);
    row.writeInt32BE(16, 2);
    uuid.copy(row, 6);
    row.writeInt32BE(4, 22);
    row.writeInt32BE(seq, 26);
    row.writeInt32BE(bytes.length, 30);
    yield row;
    yield bytes;
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  yield trailer;
}

async function copyIn(client, attachmentId, data) {
  await pipeline(
    function* () {
      yield* binaryCopyRows(attachmentId, data);
    },
    client.query(
      copyStreams.from(
        'COPY attachment_chunks (attachment_id, seq, data) FROM STDIN (FORMAT binary)',
      ),
    ),
  );
}

async function copyOut(client, attachmentId) {
  let bytes = 0;
  await pipeline(
    client.query(
      copyStreams.to(
        `COPY (SELECT data FROM attachment_chunks WHERE attachment_id = '${attachmentId}'
               ORDER BY seq) TO STDOUT (FORMAT binary)`,
      ),
    ),
    new Writable({
      write(chunk, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  return bytes;
}

/** CPU time (user + system) each of `pids` has used so far, in ms (from /proc, 100 ticks/s). */
function cpuOf(pids) {
  const used = new Map();
  for (const pid of pids) used.set(pid, cpuMs([pid]));
  return used;
}

/**
 * CPU used by `pids()` from `before` (a cpuOf snapshot) to now, in ms; a process started in
 * between counts from its start.
 */
function cpuSince(before, pids) {
  let ms = 0;
  for (const pid of pids()) ms += cpuMs([pid]) - (before.get(pid) ?? 0);
  return ms;
}

/**
 * The process that answers HTTP: the `api` child when the service runs its roles as two
 * processes (CCC_PROCESSES=auto on 2+ cores), else the service itself.
 */
function apiProcess(pid) {
  for (const p of processTree(pid)) {
    try {
      if (readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes('CCC_ROLE=api')) return p;
    } catch {
      /* gone */
    }
  }
  return pid;
}

/**
 * A full collection of this process's heap. Without it, the buffers of one measured transfer
 * were collected during the next one: with the download read from a socket (little garbage),
 * that was the COPY baseline's, which ran 30-50 % slower for it.
 */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  setFlagsFromString('--no-expose-gc');
  return () => gc();
})();

/** Resident memory in MB; NaN once the process has gone. */
function residentMb(pid) {
  try {
    return rssMb(pid);
  } catch {
    return NaN;
  }
}

const db = await migratedDatabase('attachments');
const service = await startService({
  DATABASE_URL: db.url,
  CCC_QUEUE_PREFIX: db.name,
  CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
});
const client = new pg.Client({ connectionString: db.url });
try {
  await client.connect();
  const api = async (method, path, body, key = ADMIN_KEY) => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.json();
  };
  const { key } = await api('POST', '/api/v1/api-keys', { name: 'bench', role: 'coordinator' });
  const incident = await api(
    'POST',
    '/api/v1/incidents',
    {
      title: 'Attachment benchmark',
      category: 'malicious-code/infected-system',
      severity: 'low',
      tlp: 'TLP:AMBER',
      sector: 'other',
      reportingState: 'BY',
    },
    key,
  );
  const data = randomBytes(SIZE);
  const apiPid = apiProcess(service.pid);
  const [{ pid: benchBackend }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;
  // The service's PostgreSQL backends: every one of the scratch database but the benchmark's.
  const serviceBackends = () => backendsOf(db.name).filter((pid) => pid !== benchBackend);
  const self = () => [process.pid];
  const perMib = (ms) => ms / (SIZE / MIB);
  /** Runs `work` and returns MB/s and the CPU ms per MiB of each group of processes. */
  const measure = async (groups, work) => {
    // The benchmark's own garbage (the last transfer's buffers) is collected now, not during
    // the next timed transfer, whichever side that is.
    collectGarbage();
    const before = Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [name, cpuOf(pids())]),
    );
    const t = performance.now();
    const result = await work();
    const ms = performance.now() - t;
    const cpu = Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [name, perMib(cpuSince(before[name], pids))]),
    );
    return { mbps: mbps(SIZE, ms), cpu, result };
  };
  const apiGroups = {
    service: () => [apiPid],
    serviceDb: serviceBackends,
    client: self,
  };
  const copyGroups = { client: self, clientDb: () => [benchBackend] };
  const runs = { up: [], down: [], copyUp: [], copyDown: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const up = await measure(apiGroups, () =>
      upload(service.url, key, incident.id, data, `round-${round}.bin`),
    );
    runs.up.push(up);
    const path = `/api/v1/incidents/${incident.id}/attachments/${up.result.id}/content`;
    const down = await measure(apiGroups, () => download(service.url, key, path));
    if (down.result !== SIZE) throw new Error(`download: ${down.result} bytes`);
    runs.down.push(down);

    const copyId = crypto.randomUUID();
    runs.copyUp.push(await measure(copyGroups, () => copyIn(client, copyId, data)));
    runs.copyDown.push(await measure(copyGroups, () => copyOut(client, copyId)));
    await client.query('DELETE FROM attachment_chunks WHERE attachment_id = $1', [copyId]);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const speed = (list) => median(list.map((r) => r.mbps));
  const best = (list) => Math.max(...list.map((r) => r.mbps));
  const cpu = (list, group) => median(list.map((r) => r.cpu[group]));
  for (const [way, api, copy] of [
    ['upload', runs.up, runs.copyUp],
    ['download', runs.down, runs.copyDown],
  ]) {
    const copyName = way === 'upload' ? 'copy_in' : 'copy_out';
    figure(BENCH, `${way}_mb_per_s`, speed(api), 'MB/s', { best: best(api) });
    figure(BENCH, `${copyName}_mb_per_s`, speed(copy), 'MB/s', { best: best(copy) });
    figure(BENCH, `${way}_ratio`, speed(copy) / speed(api), 'x', { goal: '<= 2' });
    // CPU per MiB: unlike MB/s, it depends little on the machine's load. The service's API
    // process and its PostgreSQL backends, against the benchmark's COPY client and backend.
    figure(BENCH, `${way}_service_cpu_ms_per_mib`, cpu(api, 'service'), 'ms');
    figure(BENCH, `${way}_service_backends_cpu_ms_per_mib`, cpu(api, 'serviceDb'), 'ms');
    figure(BENCH, `${way}_http_client_cpu_ms_per_mib`, cpu(api, 'client'), 'ms');
    figure(BENCH, `${copyName}_client_cpu_ms_per_mib`, cpu(copy, 'client'), 'ms');
    figure(BENCH, `${copyName}_backend_cpu_ms_per_mib`, cpu(copy, 'clientDb'), 'ms');
  }
  const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  figure(BENCH, 'load_average_1min', load(), '');

  // Four concurrent uploads of the same size: the peak RSS of the process taking them (and
  // of the whole service: supervisor, API and worker processes) while they run.
  const tree = () => processTree(service.pid);
  const treeMb = () => tree().reduce((sum, pid) => sum + (residentMb(pid) || 0), 0);
  const before = residentMb(apiPid);
  const treeBefore = treeMb();
  let peak = before;
  let treePeak = treeBefore;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, residentMb(apiPid));
      treePeak = Math.max(treePeak, treeMb());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t = performance.now();
  await Promise.all(
    [0, 1, 2, 3].map((n) => upload(service.url, key, incident.id, data, `concurrent-${n}.bin`)),
  );
  const seconds = (performance.now() - t) / 1000;
  running = false;
  await sampler;
  figure(BENCH, 'rss_before_concurrent_mb', before, 'MB');
  figure(BENCH, 'rss_peak_4_concurrent_uploads_mb', peak, 'MB', { goal: '< 250' });
  figure(BENCH, 'rss_all_processes_before_concurrent_mb', treeBefore, 'MB', {
    processes: tree().length,
  });
  figure(BENCH, 'rss_all_processes_peak_4_concurrent_uploads_mb', treePeak, 'MB');
  figure(BENCH, 'concurrent_4_uploads_mb_per_s', (4 * SIZE) / MIB / seconds, 'MB/s');
  const ratio = (a, b) => (speed(b) / speed(a)).toFixed(2);
  console.log(
    `\nattachments: ${SIZE / MIB} MiB, median of ${ROUNDS}: upload ${speed(runs.up).toFixed(1)} ` +
      `MB/s vs COPY ${speed(runs.copyUp).toFixed(1)} MB/s (ratio ${ratio(runs.up, runs.copyUp)}), ` +
      `download ${speed(runs.down).toFixed(1)} MB/s vs COPY ${speed(runs.copyDown).toFixed(1)} ` +
      `MB/s (ratio ${ratio(runs.down, runs.copyDown)}); 4 concurrent uploads: peak RSS ` +
      `${peak.toFixed(0)} MB (API process), load ${load()}`,
  );
} finally {
  await client.end().catch(() => undefined);
  await service.stop();
  await db.drop();
}
