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
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { figure, migratedDatabase, startService } from './lib/common.js';

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

async function download(url, key, path) {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`download: ${res.status}`);
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.length;
  return bytes;
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

/** CPU time (user + system) the process has used, in ms (from /proc, 100 ticks/s). */
async function cpuMs(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status);
  return kb ? Number(kb[1]) / 1024 : NaN; // NaN once the process has gone
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
  const up = [];
  const down = [];
  const copyUp = [];
  const copyDown = [];
  const upCpu = [];
  const downCpu = [];
  for (let round = 0; round < ROUNDS; round++) {
    let cpu = await cpuMs(service.pid);
    let t = performance.now();
    const meta = await upload(service.url, key, incident.id, data, `round-${round}.bin`);
    up.push(mbps(SIZE, performance.now() - t));
    upCpu.push(((await cpuMs(service.pid)) - cpu) / (SIZE / MIB));

    cpu = await cpuMs(service.pid);
    t = performance.now();
    const got = await download(
      service.url,
      key,
      `/api/v1/incidents/${incident.id}/attachments/${meta.id}/content`,
    );
    down.push(mbps(got, performance.now() - t));
    downCpu.push(((await cpuMs(service.pid)) - cpu) / (SIZE / MIB));

    const copyId = crypto.randomUUID();
    t = performance.now();
    await copyIn(client, copyId, data);
    copyUp.push(mbps(SIZE, performance.now() - t));
    t = performance.now();
    await copyOut(client, copyId);
    copyDown.push(mbps(SIZE, performance.now() - t));
    await client.query('DELETE FROM attachment_chunks WHERE attachment_id = $1', [copyId]);
  }
  const best = (xs) => Math.max(...xs);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  figure(BENCH, 'upload_mb_per_s', median(up), 'MB/s', { best: best(up) });
  figure(BENCH, 'copy_in_mb_per_s', median(copyUp), 'MB/s', { best: best(copyUp) });
  figure(BENCH, 'upload_ratio', median(copyUp) / median(up), 'x', { goal: '<= 2' });
  // CPU the service spends per MiB: unlike MB/s, it does not depend on the machine's load.
  figure(BENCH, 'upload_service_cpu_ms_per_mib', median(upCpu), 'ms');
  figure(BENCH, 'download_mb_per_s', median(down), 'MB/s', { best: best(down) });
  figure(BENCH, 'copy_out_mb_per_s', median(copyDown), 'MB/s', { best: best(copyDown) });
  figure(BENCH, 'download_ratio', median(copyDown) / median(down), 'x', { goal: '<= 2' });
  figure(BENCH, 'download_service_cpu_ms_per_mib', median(downCpu), 'ms');
  figure(
    BENCH,
    'load_average_1min',
    Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]),
    '',
  );

  // Four concurrent uploads of the same size: the service's peak RSS while they run.
  const before = await rssMb(service.pid);
  let peak = before;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await rssMb(service.pid));
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
  figure(BENCH, 'concurrent_4_uploads_mb_per_s', (4 * SIZE) / MIB / seconds, 'MB/s');
  console.log(
    `\nattachments: ${SIZE / MIB} MiB, median of ${ROUNDS}: upload ${median(up).toFixed(1)} MB/s ` +
      `vs COPY ${median(copyUp).toFixed(1)} MB/s (ratio ${(median(copyUp) / median(up)).toFixed(2)}), ` +
      `download ${median(down).toFixed(1)} MB/s vs COPY ${median(copyDown).toFixed(1)} MB/s ` +
      `(ratio ${(median(copyDown) / median(down)).toFixed(2)}); ` +
      `4 concurrent uploads: peak RSS ${peak.toFixed(0)} MB`,
  );
} finally {
  await client.end().catch(() => undefined);
  await service.stop();
  await db.drop();
}
