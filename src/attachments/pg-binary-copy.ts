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
 * The values of a one-column binary COPY output (header, tuples, trailer) received as
 * consecutive `pieces` of any size, each value as views of the pieces: nothing is copied
 * (but the few bytes of a field split between two pieces), as every new buffer adds to the
 * external memory that makes V8 mark the whole heap. Throws on anything else: a wrong
 * signature, flags, another column count, NULL, or data cut short.
 */
export function singleColumnValues(pieces: Buffer[]): Buffer[][] {
  const fail = (why: string) => new Error(`binary COPY data: ${why}`);
  let piece = 0;
  let offset = 0;
  let left = pieces.reduce((sum, p) => sum + p.length, 0);
  /** The next `n` bytes, as views. */
  const views = (n: number): Buffer[] => {
    if (n > left) throw fail('cut short');
    left -= n;
    const out: Buffer[] = [];
    while (n > 0) {
      const current = pieces[piece];
      const take = Math.min(n, current.length - offset);
      if (take > 0) out.push(current.subarray(offset, offset + take));
      offset += take;
      n -= take;
      if (offset === current.length) {
        piece++;
        offset = 0;
      }
    }
    return out;
  };
  /** The next `n` bytes in one buffer (a view unless they straddle two pieces). */
  const fixed = (n: number): Buffer => {
    const parts = views(n);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  };
  if (left < 19) throw fail('no signature');
  const header = fixed(19);
  if (!header.subarray(0, 11).equals(SIGNATURE)) throw fail('no signature');
  // Bit 16 (OIDs included) is the only one defined; critical bits 0-15 must be clear.
  if (header.readUInt32BE(11) !== 0) throw fail('unexpected flags');
  views(header.readUInt32BE(15)); // header extension, skipped
  const values: Buffer[][] = [];
  for (;;) {
    const fields = fixed(2).readInt16BE(0);
    if (fields === -1) break;
    if (fields !== 1) throw fail(`${fields} columns, expected 1`);
    const length = fixed(4).readInt32BE(0);
    if (length < 0) throw fail('NULL value');
    values.push(views(length));
  }
  if (left !== 0) throw fail('data after the trailer');
  return values;
}
