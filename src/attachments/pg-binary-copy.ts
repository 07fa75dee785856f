/**
 * PostgreSQL's binary COPY format (the "COPY" page of its manual, "Binary Format"), for the
 * rows of attachment_chunks: the bytes travel as they are, without the hex text a `bytea`
 * query result takes (twice their size, then decoded).
 */

/** Signature, flags (none) and header extension length (none). */
export const COPY_HEADER = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
/** A tuple's field count of -1 ends the data. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const SIGNATURE = COPY_HEADER.subarray(0, 11);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid in its text form (safe to write into a COPY statement, which takes no parameters). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The fields before the bytes of one (attachment_id uuid, seq int4, data bytea) tuple whose
 * data is `length` bytes long; the data itself follows as it is.
 */
export function chunkTupleHead(attachmentId: string, seq: number, length: number): Buffer {
  if (!isUuid(attachmentId)) throw new Error(`not a uuid: ${attachmentId}`);
  const head = Buffer.allocUnsafe(2 + 4 + 16 + 4 + 4 + 4);
  head.writeInt16BE(3, 0);
  head.writeInt32BE(16, 2);
  head.write(attachmentId.replace(/-/g, ''), 6, 16, 'hex');
  head.writeInt32BE(4, 22);
  head.writeInt32BE(seq, 26);
  head.writeInt32BE(length, 30);
  return head;
}

/**
 * The values of a one-column binary COPY output (header, tuples, trailer), as views of
 * `data` (no copy). Throws on anything else: a wrong signature, flags, another column
 * count, NULL, or data cut short.
 */
export function singleColumnValues(data: Buffer): Buffer[] {
  const fail = (why: string) => new Error(`binary COPY data: ${why}`);
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE)) throw fail('no signature');
  // Bit 16 (OIDs included) is the only one defined; critical bits 0-15 must be clear.
  if (data.readUInt32BE(11) !== 0) throw fail('unexpected flags');
  let at = 19 + data.readUInt32BE(15);
  const values: Buffer[] = [];
  for (;;) {
    if (at + 2 > data.length) throw fail('cut short');
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    if (fields !== 1) throw fail(`${fields} columns, expected 1`);
    if (at + 4 > data.length) throw fail('cut short');
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0) throw fail('NULL value');
    if (at + length > data.length) throw fail('cut short');
    values.push(data.subarray(at, at + length));
    at += length;
  }
  if (at !== data.length) throw fail('data after the trailer');
  return values;
}
