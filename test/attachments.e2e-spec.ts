import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { configure, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { SseClient } from './support/sse.js';
import { eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

configure({ useWebWorkers: false });

const MiB = 1024 * 1024;
// A 1×1 PNG: detected from its bytes whatever the client says.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

interface FilePart {
  name: string;
  type?: string;
  /** The bytes, or a generator of them (large files are never built whole here). */
  data: Buffer | (() => AsyncIterable<Buffer>);
}

interface UploadOptions {
  key: string;
  incidentId: string;
  files?: FilePart[];
  fields?: Record<string, string>;
  /** Fields sent after the file parts. */
  trailingFields?: Record<string, string>;
  /** Once this many bytes are sent, wait for the answer (up to 30 s) before sending more. */
  pauseAt?: number;
  /** Called with the bytes sent so far; return true to destroy the socket there. */
  abortWhen?: (sent: number) => boolean | Promise<boolean>;
}

interface UploadResult {
  status: number;
  body: any;
  /** Bytes of the request body written before the answer came (or the socket was cut). */
  sent: number;
  aborted: boolean;
}

function hashes(data: Buffer) {
  return {
    md5: createHash('md5').update(data).digest('hex'),
    sha1: createHash('sha1').update(data).digest('hex'),
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

/**
 * A multipart upload over node:http, written part by part with backpressure: it stops
 * writing as soon as the service answers (413 mid-body) and can cut the socket midway.
 */
function upload(baseUrl: string, options: UploadOptions): Promise<UploadResult> {
  const boundary = `----ccc${randomBytes(8).toString('hex')}`;
  const url = new URL(`${baseUrl}/api/v1/incidents/${options.incidentId}/attachments`);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    let aborted = false;
    const req = http.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.key}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
    });
    let onAnswer = () => {};
    const answer = new Promise<void>((r) => (onAnswer = r));
    req.on('response', (res) => {
      answered = true;
      onAnswer();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body, sent, aborted });
      });
    });
    req.on('error', (err) => {
      if (aborted) resolve({ status: 0, body: null, sent, aborted });
      else if (!answered) reject(err);
    });
    const write = async (chunk: Buffer) => {
      if (answered || aborted) return;
      sent += chunk.length;
      if (!req.write(chunk)) {
        await new Promise<void>((r) => {
          const done = () => r();
          req.once('drain', done);
          req.once('close', done);
          req.once('response', done);
        });
      }
      if (options.pauseAt !== undefined && sent >= options.pauseAt) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([answer, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
        clearTimeout(timer);
      }
      if (options.abortWhen && (await options.abortWhen(sent))) {
        aborted = true;
        req.destroy();
      }
    };
    const writeFields = async (fields: Record<string, string> = {}) => {
      for (const [name, value] of Object.entries(fields)) {
        await write(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
          ),
        );
      }
    };
    void (async () => {
      await writeFields(options.fields);
      for (const file of options.files ?? []) {
        await write(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
              `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
          ),
        );
        if (Buffer.isBuffer(file.data)) await write(file.data);
        else for await (const chunk of file.data()) await write(chunk);
        await write(Buffer.from('\r\n'));
      }
      await writeFields(options.trailingFields);
      await write(Buffer.from(`--${boundary}--\r\n`));
      if (!answered && !aborted) req.end();
    })().catch(reject);
  });
}

/** `total` bytes from a 1 MiB random block, generated lazily, with their hashes. */
function repeated(total: number) {
  const block = randomBytes(MiB);
  const sha256 = createHash('sha256');
  for (let left = total; left > 0; left -= MiB)
    sha256.update(block.subarray(0, Math.min(MiB, left)));
  return {
    sha256: sha256.digest('hex'),
    async *chunks() {
      for (let left = total; left > 0; left -= 64 * 1024) {
        const offset = (total - left) % MiB;
        yield block.subarray(offset, offset + Math.min(64 * 1024, left));
      }
    },
  };
}

describe('Attachments (evidence files)', () => {
  let env: TestEnv;
  let service: Service;
  let receiver: WebhookReceiver;
  let admin: Api;
  let coordinator: Api;
  const analyst: Record<string, Api> = {};
  /** TLP:AMBER, reported by BY, dispatched to KZ: AM cannot see it. */
  let amber: string;
  /** TLP:GREEN, reported by BY, no dispatch: AM sees it but is not a party. */
  let green: string;

  const key = (api: Api) => api.key;

  async function file(by: Api, body: Record<string, unknown>): Promise<string> {
    const res = await by.post('/api/v1/incidents', {
      title: 'Evidence test',
      category: 'malicious-code/infected-system',
      severity: 'medium',
      tlp: 'TLP:AMBER',
      sector: 'finance',
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function counts() {
    const { rows } = await env.db.query(
      `SELECT (SELECT count(*) FROM attachments)::int AS attachments,
              (SELECT count(*) FROM attachment_chunks)::int AS chunks,
              (SELECT count(*) FROM incident_observables)::int AS observables`,
    );
    return rows[0] as { attachments: number; chunks: number; observables: number };
  }

  async function rssKb(): Promise<number> {
    const status = await readFile(`/proc/${service.process.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  }

  beforeAll(async () => {
    env = await createTestEnv('attachments');
    receiver = await WebhookReceiver.start();
    // A slow start on a busy machine is not what this file tests.
    service = await startService(env, { timeoutMs: 90_000 });
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    for (const state of ['BY', 'KZ', 'AM']) {
      analyst[state] = admin.as(await admin.createKey('analyst', state));
    }
    amber = await file(analyst.BY, { affectedStates: ['KZ'] });
    green = await file(analyst.BY, { tlp: 'TLP:GREEN' });
  }, 150_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  it('stores the file with the hashes of its bytes, and they join the observables and related', async () => {
    const data = randomBytes(700 * 1024 + 13); // three chunks, the last one short
    const res = await upload(service.url, {
      key: key(analyst.BY),
      incidentId: amber,
      files: [{ name: 'dump.bin', data }],
      fields: { description: 'Memory dump of the mail gateway' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      filename: 'dump.bin',
      size: data.length,
      contentType: 'application/octet-stream',
      ...hashes(data),
      malware: false,
      description: 'Memory dump of the mail gateway',
      deletedAt: null,
    });
    expect(res.body.uploadedBy).toMatch(/^analyst:BY:/);

    const got = await analyst.KZ.get(`/api/v1/incidents/${amber}/attachments/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    const content = await fetch(
      `${service.url}/api/v1/incidents/${amber}/attachments/${res.body.id}/content`,
      { headers: { authorization: `Bearer ${key(analyst.KZ)}` } },
    );
    expect(content.status).toBe(200);
    expect(Buffer.from(await content.arrayBuffer()).equals(data)).toBe(true);

    const incident = await analyst.KZ.get(`/api/v1/incidents/${amber}`);
    expect(incident.body.attachments).toEqual([res.body]);
    for (const [type, value] of Object.entries(hashes(data))) {
      expect(incident.body.observables).toContainEqual({ type, value });
    }

    // The same sample on another incident: both are related through its hashes.
    const other = await file(analyst.KZ, {});
    expect(
      (
        await upload(service.url, {
          key: key(analyst.KZ),
          incidentId: other,
          files: [{ name: 'same.bin', data }],
        })
      ).status,
    ).toBe(201);
    const related = await analyst.KZ.get(`/api/v1/incidents/${amber}/related`);
    expect(related.body.items.map((i: any) => i.incident.id)).toEqual([other]);
    expect(related.body.items[0].shared).toContainEqual({
      type: 'sha256',
      value: hashes(data).sha256,
    });
  });

  it('detects the type from the bytes: a PNG sent as text/plain is a PNG', async () => {
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'screenshot.txt', type: 'text/plain', data: PNG }],
    });
    expect(res.status).toBe(201);
    expect(res.body.contentType).toBe('image/png');
  });

  it('never serves an HTML upload as text/html', async () => {
    const html = Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>');
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'phish.html', type: 'text/html', data: html }],
    });
    expect(res.status).toBe(201);
    expect(res.body.contentType).not.toMatch(/html/);
    const content = await fetch(
      `${service.url}/api/v1/incidents/${amber}/attachments/${res.body.id}/content`,
      { headers: { authorization: `Bearer ${key(analyst.BY)}` } },
    );
    expect(content.status).toBe(200);
    expect(content.headers.get('content-type')).toBe('application/octet-stream');
    expect(content.headers.get('x-content-type-options')).toBe('nosniff');
    expect(content.headers.get('content-disposition')).toBe(
      `attachment; filename="phish.html"; filename*=UTF-8''phish.html`,
    );
    expect(Buffer.from(await content.arrayBuffer()).equals(html)).toBe(true);
  });

  it('stores a filename with path separators or control characters sanitised, keeping the original', async () => {
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: '..\\..\\evil/\tnotes.txt', data: Buffer.from('x') }],
    });
    expect(res.status).toBe(201);
    expect(res.body.filename).toBe('_.._evil_notes.txt');
    expect(res.body.originalFilename).toBe('..\\..\\evil/\tnotes.txt');

    // A Cyrillic name is kept as it is; a right-to-left override that disguises an
    // executable ("отчёт<RLO>fdp.exe" shows as "отчётexe.pdf") is dropped.
    const cyrillic = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'отчёт\u202Efdp.exe', data: Buffer.from('MZ') }],
    });
    expect(cyrillic.status).toBe(201);
    expect(cyrillic.body.filename).toBe('отчётfdp.exe');
    expect(cyrillic.body.originalFilename).toBe('отчёт\u202Efdp.exe');
    const plain = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'журнал.log', data: Buffer.from('x') }],
    });
    expect(plain.body).toMatchObject({ filename: 'журнал.log', originalFilename: null });
    const content = await fetch(
      `${service.url}/api/v1/incidents/${amber}/attachments/${plain.body.id}/content`,
      { headers: { authorization: `Bearer ${key(coordinator)}` } },
    );
    expect(content.headers.get('content-disposition')).toBe(
      `attachment; filename="______.log"; filename*=UTF-8''${encodeURIComponent('журнал.log')}`,
    );
  });

  it('gives a malware sample only as an AES-256 zip opened with "infected", and records each download', async () => {
    const sample = randomBytes(300 * 1024);
    const res = await upload(service.url, {
      key: key(analyst.KZ),
      incidentId: amber,
      files: [{ name: 'dropper.exe', data: sample }],
      fields: { malware: 'true' },
    });
    expect(res.status).toBe(201);
    expect(res.body.malware).toBe(true);
    const base = `${service.url}/api/v1/incidents/${amber}/attachments/${res.body.id}/content`;
    const auth = { authorization: `Bearer ${key(analyst.BY)}` };

    const raw = await fetch(base, { headers: auth });
    expect(raw.status).toBe(409);
    const ranged = await fetch(base, { headers: { ...auth, range: 'bytes=0-9' } });
    expect(ranged.status).toBe(409);

    const zipped = await fetch(`${base}?as=zip`, { headers: auth });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('content-type')).toBe('application/zip');
    expect(zipped.headers.get('content-disposition')).toContain('filename="dropper.exe.zip"');
    const zip = new Uint8Array(await zipped.arrayBuffer());
    const open = async (password?: string) => {
      const [entry] = await new ZipReader(new Uint8ArrayReader(zip), { password }).getEntries();
      expect(entry.filename).toBe('dropper.exe');
      expect(entry.encrypted).toBe(true);
      if (entry.directory) throw new Error('not a file entry');
      return Buffer.from(await entry.getData(new Uint8ArrayWriter()));
    };
    expect((await open('infected')).equals(sample)).toBe(true);
    await expect(open('wrong')).rejects.toThrow();
    await expect(open()).rejects.toThrow();
    // WinZip AES: method 99, and strength 3 (AES-256) in the entry's extra field 0x9901.
    const local = Buffer.from(zip);
    expect(local.readUInt16LE(8)).toBe(99);
    const nameLength = local.readUInt16LE(26);
    const extra = local.subarray(30 + nameLength, 30 + nameLength + local.readUInt16LE(28));
    let strength: number | undefined;
    for (let i = 0; i + 4 <= extra.length; i += 4 + extra.readUInt16LE(i + 2)) {
      if (extra.readUInt16LE(i) === 0x9901) strength = extra[i + 8];
    }
    expect(strength).toBe(3);

    const timeline = await coordinator.get(`/api/v1/incidents/${amber}/timeline?limit=200`);
    const downloads = timeline.body.items.filter(
      (e: any) => e.type === 'attachment-downloaded' && e.data.attachmentId === res.body.id,
    );
    expect(downloads).toHaveLength(1);
    expect(downloads[0]).toMatchObject({
      actor: expect.stringMatching(/^analyst:BY:/),
      data: { attachmentId: res.body.id, filename: 'dropper.exe', malware: true },
    });
    // The refused raw reads (409) are not downloads; the zip is one.
    const audit = await admin.get(
      `/api/v1/audit?action=attachment.downloaded&targetId=${res.body.id}`,
    );
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].change).toMatchObject({ incidentId: amber, as: 'zip' });
  });

  it('records every download that sends bytes (whole, a range, the zip) in the timeline and the audit log', async () => {
    const data = randomBytes(300 * 1024);
    const res = await upload(service.url, {
      key: key(analyst.BY),
      incidentId: amber,
      files: [{ name: 'mail-headers.eml', data }],
    });
    expect(res.status).toBe(201);
    const aid = res.body.id as string;
    const url = `${service.url}/api/v1/incidents/${amber}/attachments/${aid}/content`;
    const as = (api: Api, headers: Record<string, string> = {}, init: RequestInit = {}) => ({
      ...init,
      headers: { authorization: `Bearer ${key(api)}`, ...headers },
    });

    const whole = await fetch(url, as(analyst.KZ));
    expect(whole.status).toBe(200);
    await whole.arrayBuffer();
    const part = await fetch(url, as(coordinator, { range: 'bytes=0-9' }));
    expect(part.status).toBe(206);
    await part.arrayBuffer();
    const zipped = await fetch(`${url}?as=zip`, as(analyst.BY));
    expect(zipped.status).toBe(200);
    await zipped.arrayBuffer();
    // Sends no bytes, so records nothing: HEAD, a range past the end, a bad `as`, no access.
    const head = await fetch(url, as(analyst.KZ, {}, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(data.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const beyond = await fetch(url, as(analyst.KZ, { range: `bytes=${data.length}-` }));
    expect(beyond.status).toBe(416);
    expect((await fetch(`${url}?as=tar`, as(analyst.KZ))).status).toBe(400);
    expect((await fetch(url, as(analyst.AM))).status).toBe(404);

    const timeline = await analyst.KZ.get(`/api/v1/incidents/${amber}/timeline?limit=200`);
    const downloads = timeline.body.items.filter(
      (e: any) => e.type === 'attachment-downloaded' && e.data.attachmentId === aid,
    );
    expect(downloads.map((e: any) => e.actor.split(':').slice(0, 2).join(':'))).toEqual([
      'analyst:KZ',
      'coordinator:CCC',
      'analyst:BY',
    ]);
    expect(downloads.map((e: any) => [e.data.range ?? null, e.data.as ?? null])).toEqual([
      [null, null],
      [`bytes 0-9/${data.length}`, null],
      [null, 'zip'],
    ]);
    expect(downloads[0].data).toMatchObject({
      filename: 'mail-headers.eml',
      size: data.length,
      sha256: hashes(data).sha256,
      malware: false,
    });
    const audit = await admin.get(`/api/v1/audit?action=attachment.downloaded&targetId=${aid}`);
    expect(audit.body.items).toHaveLength(3);
    for (const entry of audit.body.items) {
      expect(entry.change).toMatchObject({ incidentId: amber, attachmentId: aid });
    }
    expect((await admin.get('/api/v1/audit/verify')).body.valid).toBe(true);
  });

  it('answers single byte ranges with 206 and out-of-range ones with 416', async () => {
    const data = randomBytes(600 * 1024);
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'capture.pcap', data }],
    });
    const url = `${service.url}/api/v1/incidents/${amber}/attachments/${res.body.id}/content`;
    const get = (range: string) =>
      fetch(url, { headers: { authorization: `Bearer ${key(analyst.KZ)}`, range } });
    for (const [range, start, end] of [
      ['bytes=100-199', 100, 199],
      ['bytes=262000-262200', 262000, 262200], // across a chunk boundary
      ['bytes=-1000', data.length - 1000, data.length - 1],
      ['bytes=614000-', 614000, data.length - 1],
    ] as const) {
      const part = await get(range);
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${data.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(start, end + 1))).toBe(
        true,
      );
    }
    const beyond = await get(`bytes=${data.length}-`);
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${data.length}`);
  });

  it('streams a large file as clients take it, holding no database connection while they stall', async () => {
    // Ten 2 MiB batches, one COPY each. Random throughout, so a byte from the wrong offset shows.
    const data = randomBytes(20 * MiB);
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'capture.pcap', data }],
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    /** The service's COPYs of this file running now (or, `waiting`, held by a lock). */
    const copies = async (waiting = false) => {
      const { rows } = await env.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
           AND query LIKE 'COPY (SELECT data FROM attachment_chunks%' AND strpos(query, $1) > 0
           AND ($2::boolean IS FALSE OR wait_event_type = 'Lock')`,
        [id, waiting],
      );
      return rows[0].n as number;
    };

    // As many clients as the service has pool connections (CCC_DB_POOL_SIZE=6 in tests), each
    // reading the first bytes, then nothing.
    const { hostname, port } = new URL(service.url);
    const clients = Array.from({ length: 6 }, () => {
      const socket = net.connect(Number(port), hostname);
      const digest = createHash('sha256');
      let head: Buffer | null = Buffer.alloc(0);
      let length = 0;
      let status = '';
      socket.on('data', (piece: Buffer) => {
        if (head) {
          head = Buffer.concat([head, piece]);
          const at = head.indexOf('\r\n\r\n');
          if (at < 0) return;
          status = head.subarray(0, 12).toString();
          piece = head.subarray(at + 4);
          head = null;
        }
        digest.update(piece);
        length += piece.length;
      });
      const first = new Promise((resolve) => socket.once('data', resolve));
      const body = new Promise<{ status: string; length: number; sha256: string }>(
        (resolve, reject) => {
          socket.once('error', reject);
          socket.once('close', () => resolve({ status, length, sha256: digest.digest('hex') }));
        },
      );
      socket.write(
        `GET /api/v1/incidents/${amber}/attachments/${id}/content HTTP/1.1\r\n` +
          `Host: ${hostname}\r\nAuthorization: Bearer ${key(analyst.KZ)}\r\nConnection: close\r\n\r\n`,
      );
      return { socket, first, body };
    });
    for (const client of clients) {
      await client.first;
      client.socket.pause();
    }
    // Each COPY is read to its end whatever the client's pace, and its connection returned:
    // the service still answers what needs the database.
    await eventually(async () => (await copies()) === 0, 'no COPY while the clients stall');
    const incident = await fetch(`${service.url}/api/v1/incidents/${amber}`, {
      headers: { authorization: `Bearer ${key(analyst.KZ)}` },
      signal: AbortSignal.timeout(20_000),
    });
    expect(incident.status).toBe(200);
    // Batches were left: with the table locked, the next COPY waits as soon as a client reads.
    const locker = await env.db.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE attachment_chunks IN ACCESS EXCLUSIVE MODE');
      clients[0].socket.resume();
      await eventually(async () => (await copies(true)) > 0, 'the next COPY once a client reads');
      await locker.query('COMMIT');
    } finally {
      locker.release();
    }
    for (const client of clients) client.socket.resume();
    for (const client of clients) {
      expect(await client.body).toEqual({
        status: 'HTTP/1.1 200',
        length: data.length,
        sha256: hashes(data).sha256,
      });
    }

    // Ranges across chunk and batch boundaries.
    const url = `${service.url}/api/v1/incidents/${amber}/attachments/${id}/content`;
    for (const [start, end] of [
      [2 * MiB - 100, 2 * MiB + 99],
      [MiB + 7, 7 * MiB - 3],
      [20 * MiB - 5, 20 * MiB - 1],
    ]) {
      const part = await fetch(url, {
        headers: { authorization: `Bearer ${key(analyst.KZ)}`, range: `bytes=${start}-${end}` },
      });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(start, end + 1))).toBe(
        true,
      );
    }
  });

  it('follows the incident visibility: 404 for who cannot see it, 403 for a state that is not a party', async () => {
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'a.log', data: Buffer.from('log line\n') }],
    });
    const aid = res.body.id as string;
    const before = await counts();
    for (const path of [
      `/api/v1/incidents/${amber}/attachments`,
      `/api/v1/incidents/${amber}/attachments/${aid}`,
      `/api/v1/incidents/${amber}/attachments/${aid}/content`,
    ]) {
      const hidden = await analyst.AM.get(path);
      expect(hidden.status).toBe(404);
      expect(hidden.text).not.toContain(aid);
    }
    const hiddenUpload = await upload(service.url, {
      key: key(analyst.AM),
      incidentId: amber,
      files: [{ name: 'x.txt', data: Buffer.from('x') }],
    });
    expect(hiddenUpload.status).toBe(404);
    // An attachment id under another incident is absent too.
    expect((await coordinator.get(`/api/v1/incidents/${green}/attachments/${aid}`)).status).toBe(
      404,
    );

    // TLP:GREEN: AM sees the incident and reads its attachments, but may not add any.
    const refused = await upload(service.url, {
      key: key(analyst.AM),
      incidentId: green,
      files: [{ name: 'x.txt', data: Buffer.from('x') }],
    });
    expect(refused.status).toBe(403);
    expect((await analyst.AM.get(`/api/v1/incidents/${green}/attachments`)).status).toBe(200);
    const byAdmin = await upload(service.url, {
      key: admin.key,
      incidentId: green,
      files: [{ name: 'x.txt', data: Buffer.from('x') }],
    });
    expect(byAdmin.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('refuses bad input with a 400 problem that stores nothing', async () => {
    const before = await counts();
    const one = { name: 'a.txt', data: Buffer.from('abc') };
    const cases: [Partial<UploadOptions>, string][] = [
      [{ fields: { description: 'no file' } }, 'file'],
      [{ files: [one, one] }, 'file'],
      [{ files: [{ name: 'empty.bin', data: Buffer.alloc(0) }] }, 'file'],
      [{ files: [one], fields: { malware: 'yes' } }, 'malware'],
      [{ files: [one], fields: { description: 'x'.repeat(1001) } }, 'description'],
      [{ files: [one], fields: { colour: 'red' } }, 'colour'],
      // A bad field after the file: its bytes were already written, and are rolled back.
      [
        { files: [{ name: 'big.bin', data: randomBytes(MiB) }], trailingFields: { malware: '1' } },
        'malware',
      ],
    ];
    for (const [options, field] of cases) {
      const res = await upload(service.url, {
        key: key(coordinator),
        incidentId: amber,
        files: [],
        ...options,
      });
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('/problems/validation');
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
    }
    expect(await counts()).toEqual(before);
    // A JSON body is not an upload.
    const json = await coordinator.post(`/api/v1/incidents/${amber}/attachments`, {});
    expect(json.status).toBe(415);
    // …and other routes stay JSON-only.
    const form = new FormData();
    form.append('title', 'x');
    const res = await fetch(`${service.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key(coordinator)}` },
      body: form,
    });
    expect(res.status).toBe(415);
  });

  it('refuses a file over CCC_ATTACHMENT_MAX_BYTES with 413 as soon as it is crossed, storing nothing', async () => {
    const before = await counts();
    const total = 64 * MiB;
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'huge.bin', data: repeated(total).chunks }],
      // Past the limit, the client waits: the answer must come before the rest is sent.
      pauseAt: 26 * MiB,
    });
    expect(res.status).toBe(413);
    expect(res.body.type).toBe('/problems/attachment-too-large');
    expect(res.sent).toBeLessThan(total); // answered mid-body, not after all of it
    expect(await counts()).toEqual(before);
  });

  it('keeps nothing of an upload cut off midway, and stays ready', async () => {
    const before = await counts();
    const res = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'cut.bin', data: repeated(20 * MiB).chunks }],
      // Cut the socket once the service is writing chunks (its COPY) in its transaction.
      abortWhen: async (sent) =>
        sent > 2 * MiB &&
        (
          await env.db.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
               AND query LIKE 'COPY attachment_chunks%' AND xact_start IS NOT NULL`,
          )
        ).rowCount! > 0,
    });
    expect(res.aborted).toBe(true);
    await eventually(async () => {
      const { rows } = await env.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      return rows[0].n === 0;
    }, 'the aborted upload to roll back');
    expect(await counts()).toEqual(before);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    const after = await upload(service.url, {
      key: key(coordinator),
      incidentId: amber,
      files: [{ name: 'after.txt', data: Buffer.from('still works') }],
    });
    expect(after.status).toBe(201);
  });

  it('lets coordinators delete: the bytes are destroyed, the metadata stays with deletedAt', async () => {
    const res = await upload(service.url, {
      key: key(analyst.BY),
      incidentId: amber,
      files: [{ name: 'wrong-file.bin', data: randomBytes(400 * 1024) }],
    });
    const aid = res.body.id as string;
    expect((await analyst.BY.delete(`/api/v1/incidents/${amber}/attachments/${aid}`)).status).toBe(
      403,
    );
    expect((await coordinator.delete(`/api/v1/incidents/${amber}/attachments/${aid}`)).status).toBe(
      204,
    );
    const { rows } = await env.db.query(
      'SELECT count(*)::int AS n FROM attachment_chunks WHERE attachment_id = $1',
      [aid],
    );
    expect(rows[0].n).toBe(0);
    const meta = await analyst.KZ.get(`/api/v1/incidents/${amber}/attachments/${aid}`);
    expect(meta.body).toMatchObject({ id: aid, sha256: res.body.sha256 });
    expect(meta.body.deletedAt).toEqual(expect.any(String));
    const content = await analyst.KZ.get(`/api/v1/incidents/${amber}/attachments/${aid}/content`);
    expect(content.status).toBe(410);
    // Repeating it changes nothing.
    expect((await coordinator.delete(`/api/v1/incidents/${amber}/attachments/${aid}`)).status).toBe(
      204,
    );

    const timeline = await analyst.KZ.get(`/api/v1/incidents/${amber}/timeline?limit=200`);
    const mine = timeline.body.items.filter((e: any) => e.data.attachmentId === aid);
    expect(mine.map((e: any) => e.type)).toEqual(['attached', 'attachment-deleted']);
    const uploaded = await admin.get(`/api/v1/audit?action=attachment.uploaded&targetId=${aid}`);
    expect(uploaded.body.items).toHaveLength(1);
    expect(uploaded.body.items[0].change).toMatchObject({
      incidentId: amber,
      sha256: res.body.sha256,
    });
    const deleted = await admin.get(`/api/v1/audit?action=attachment.deleted&targetId=${aid}`);
    expect(deleted.body.items).toHaveLength(1);
    expect((await admin.get('/api/v1/audit/verify')).body.valid).toBe(true);
  });

  it('puts the metadata, never the bytes, in the webhooks of the incident, for each receiving state', async () => {
    const hooks = { BY: receiver.endpoint(), KZ: receiver.endpoint() };
    for (const [state, hook] of Object.entries(hooks)) {
      await setContacts(admin, state, [{ type: 'webhook', url: hook.url, secret: hook.secret }]);
    }
    const id = await file(analyst.BY, { affectedStates: ['KZ'] });
    const data = Buffer.from('secret evidence bytes');
    const res = await upload(service.url, {
      key: key(analyst.BY),
      incidentId: id,
      files: [{ name: 'e.txt', data }],
    });
    expect(res.status).toBe(201);
    const updateAt = (state: 'BY' | 'KZ', to: string) =>
      eventually(
        () =>
          hooks[state].requests.find(
            (r) =>
              r.json?.type === 'incident.updated' &&
              r.json.data.incident.id === id &&
              r.json.data.transition?.to === to,
          ),
        `incident.updated (${to}) at ${state}`,
      );
    expect(
      (await coordinator.post(`/api/v1/incidents/${id}/transitions`, { to: 'triaged' })).status,
    ).toBe(200);
    // The reporting and the dispatched state both see every attachment of the incident: each
    // gets the metadata exactly as its own GET of the incident shows it.
    for (const state of ['BY', 'KZ'] as const) {
      const update = await updateAt(state, 'triaged');
      expect(update.verified).toBe(true);
      const seen = await analyst[state].get(`/api/v1/incidents/${id}`);
      expect(update.json.data.incident.attachments).toEqual(seen.body.attachments);
      expect(update.json.data.incident.attachments).toEqual([
        expect.objectContaining({
          id: res.body.id,
          sha256: hashes(data).sha256,
          size: data.length,
          deletedAt: null,
        }),
      ]);
      expect(update.body).not.toContain(data.toString('base64'));
      expect(update.body).not.toContain(data.toString());
    }

    // Deleted evidence stays listed, with deletedAt.
    expect(
      (await coordinator.delete(`/api/v1/incidents/${id}/attachments/${res.body.id}`)).status,
    ).toBe(204);
    expect(
      (await coordinator.post(`/api/v1/incidents/${id}/transitions`, { to: 'in_progress' })).status,
    ).toBe(200);
    const later = await updateAt('KZ', 'in_progress');
    expect(later.json.data.incident.attachments).toEqual([
      expect.objectContaining({ id: res.body.id, deletedAt: expect.any(String) }),
    ]);
  });

  it('tells live-event streams of an upload, only those that may see the incident', async () => {
    const open = (api: Api) =>
      SseClient.open(`${service.url}/api/v1/events`, { authorization: `Bearer ${key(api)}` });
    const [kz, am] = [await open(analyst.KZ), await open(analyst.AM)];
    try {
      expect(kz.status).toBe(200);
      expect(am.status).toBe(200);
      const res = await upload(service.url, {
        key: key(analyst.BY),
        incidentId: amber,
        files: [{ name: 'live.txt', data: Buffer.from('live') }],
      });
      expect(res.status).toBe(201);
      await kz.waitFor(
        () => kz.of('attachment.added').some((e) => e.data.incidentId === amber),
        'attachment.added at KZ',
      );
      // A public incident after it: once AM sees that event, it would have seen the first.
      const marker = await upload(service.url, {
        key: key(analyst.BY),
        incidentId: green,
        files: [{ name: 'marker.txt', data: Buffer.from('m') }],
      });
      expect(marker.status).toBe(201);
      await am.waitFor(
        () => am.of('attachment.added').some((e) => e.data.incidentId === green),
        'attachment.added at AM',
      );
      expect(am.events.some((e) => e.data.incidentId === amber)).toBe(false);
    } finally {
      kz.close();
      am.close();
    }
  });

  it('keeps the service under 250 MB RSS through four concurrent 20 MiB uploads', async () => {
    const files = [1, 2, 3, 4].map(() => repeated(20 * MiB));
    let peak = await rssKb();
    let running = true;
    const sampler = (async () => {
      while (running) {
        peak = Math.max(peak, await rssKb());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const results = await Promise.all(
      files.map((f, n) =>
        upload(service.url, {
          key: key(coordinator),
          incidentId: amber,
          files: [{ name: `big-${n}.bin`, data: f.chunks }],
        }),
      ),
    );
    running = false;
    await sampler;
    for (const [n, res] of results.entries()) {
      expect(res.status).toBe(201);
      expect(res.body.sha256).toBe(files[n].sha256);
      expect(res.body.size).toBe(20 * MiB);
    }
    expect(peak / 1024).toBeLessThan(250);
  }, 180_000);
});
