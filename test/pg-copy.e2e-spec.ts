import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  chunkTupleHead,
  COPY_HEADER,
  COPY_TRAILER,
  singleColumnValues,
} from '../src/attachments/pg-binary-copy.js';
import { CopyIn } from '../src/attachments/pg-copy-in.js';
import { CopyOut } from '../src/attachments/pg-copy-out.js';
import { PG_ADMIN_URL } from './support/service.js';

/**
 * The attachment store's COPY messages against the real server: CopyOut takes pg's socket
 * for the length of a `COPY … TO STDOUT` and must hand it back whatever happens (the end,
 * an error halfway, a refused statement); CopyIn writes rows as CopyData messages and must
 * leave nothing behind when it gives up, before or after the server accepted the COPY. After
 * each, the same connection must still answer queries.
 */
describe('COPY through pg, as the attachment store runs it', () => {
  let client: pg.Client;
  const SQL_IN = 'COPY attachment_chunks (attachment_id, seq, data) FROM STDIN (FORMAT binary)';

  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    // Shaped like the service's table; a temporary table lives and dies with this session.
    await client.query(
      'CREATE TEMP TABLE attachment_chunks (attachment_id uuid, seq int4, data bytea NOT NULL)',
    );
  });

  afterAll(async () => {
    await client?.end();
  });

  /** Runs a CopyOut; the CopyData payloads received, in order. */
  async function copyOut(text: string): Promise<Buffer[]> {
    const payloads: Buffer[] = [];
    const copy = new CopyOut(text, (payload) => payloads.push(payload));
    client.query(copy);
    await copy.done;
    return payloads;
  }

  async function stillAnswers() {
    expect((await client.query('SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }]);
  }

  async function rowsOf(id: string): Promise<Buffer[]> {
    const { rows } = await client.query(
      'SELECT data FROM attachment_chunks WHERE attachment_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((r: { data: Buffer }) => r.data);
  }

  /** The CopyData parts of rows `values` of attachment `id`, header and trailer included. */
  function rows(id: string, values: Buffer[]): Buffer[][] {
    return values.map((value, seq) => [
      ...(seq === 0 ? [COPY_HEADER] : []),
      chunkTupleHead(id, seq, value.length),
      value,
      ...(seq === values.length - 1 ? [COPY_TRAILER] : []),
    ]);
  }

  it('writes rows with CopyIn and reads them back with CopyOut, byte for byte', async () => {
    const id = randomUUID();
    // Rows far larger than a socket read: messages arrive split across many buffers.
    const values = [randomBytes(256 * 1024), randomBytes(256 * 1024), randomBytes(1000)];
    const copy = new CopyIn(SQL_IN);
    client.query(copy);
    for (const parts of rows(id, values)) await copy.send(parts);
    await copy.end();
    expect(await rowsOf(id)).toEqual(values);

    const payloads = await copyOut(
      `COPY (SELECT data FROM attachment_chunks WHERE attachment_id = '${id}' ORDER BY seq)
       TO STDOUT (FORMAT binary)`,
    );
    expect(payloads.length).toBeGreaterThan(values.length); // split as the socket delivered
    const got = singleColumnValues(payloads).map((pieces) => Buffer.concat(pieces));
    expect(got).toEqual(values);
    await stillAnswers();
  });

  it('gives the socket back to pg when the COPY fails halfway or is refused', async () => {
    // Rows before the failing one have been sent when the error comes.
    const halfway = new CopyOut(
      'COPY (SELECT repeat(md5(g::text), 2000) || (1 / (30 - g))::text FROM generate_series(1, 40) g) TO STDOUT',
      () => undefined,
    );
    client.query(halfway);
    await expect(halfway.done).rejects.toThrow(/division by zero/);
    await stillAnswers();

    await expect(copyOut('COPY (SELECT * FROM no_such_table) TO STDOUT')).rejects.toThrow(
      /no_such_table/,
    );
    await stillAnswers();
    // And it still reads a COPY after that.
    expect(Buffer.concat(await copyOut("COPY (SELECT 'x') TO STDOUT")).toString()).toBe('x\n');
  });

  it('keeps nothing of a CopyIn given up, before or after the server accepted it', async () => {
    const id = randomUUID();
    const [first, second] = rows(id, [randomBytes(300 * 1024), randomBytes(10)]);

    const after = new CopyIn(SQL_IN);
    client.query(after);
    await after.send(first);
    await after.fail('upload aborted');
    await expect(after.done).rejects.toThrow(/upload aborted/);
    await stillAnswers();

    const before = new CopyIn(SQL_IN);
    client.query(before); // no CopyInResponse yet
    await before.fail('aborted at once');
    await expect(before.done).rejects.toThrow(/aborted at once/);
    await stillAnswers();

    // A row the server refuses (a NULL where NOT NULL): send or end rejects with its error.
    const refused = new CopyIn(SQL_IN);
    client.query(refused);
    const nullData = Buffer.from(chunkTupleHead(id, 0, 0));
    nullData.writeInt32BE(-1, 30); // data: NULL
    const sent = (async () => {
      await refused.send([COPY_HEADER, nullData]);
      await refused.send(second);
      await refused.end();
    })();
    await expect(sent).rejects.toThrow(/null value/);
    await stillAnswers();

    expect(await rowsOf(id)).toEqual([]);
  });
});
