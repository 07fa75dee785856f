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

/** What a SingleColumnReader hands on: each value's bytes as they come, then its end. */
export interface ValueSink {
  bytes(view: Buffer): void;
  end(): void;
}

/** Where a SingleColumnReader is in the output. */
const Field = {
  Header: 0, // signature, flags, header extension length: 19 bytes
  Extension: 1, // header extension, skipped
  Count: 2, // a tuple's field count (int16), -1 for the trailer
  Length: 3, // the value's length (int32), -1 for NULL
  Value: 4,
  Done: 5,
} as const;
type Field = (typeof Field)[keyof typeof Field];

/**
 * Reads a one-column binary COPY output (header, tuples, trailer) as it arrives, in pieces of
 * any size, and hands each value on as views of the pieces: nothing is copied (but the few
 * bytes of a header field split between two pieces), as every new buffer adds to the
 * external memory that makes V8 mark the whole heap. Throws on anything else: a wrong
 * signature, flags, another column count, NULL, or (at end) data cut short.
 */
export class SingleColumnReader {
  private field: Field = Field.Header;
  /** A fixed-size field being gathered across pieces. */
  private readonly gathered = Buffer.alloc(19);
  private gatheredBytes = 0;
  /** Bytes left of the header extension or of the value. */
  private left = 0;

  constructor(private readonly sink: ValueSink) {}

  push(piece: Buffer): void {
    let at = 0;
    while (at < piece.length) {
      if (this.field === Field.Value || this.field === Field.Extension) {
        const take = Math.min(this.left, piece.length - at);
        if (this.field === Field.Value) this.sink.bytes(piece.subarray(at, at + take));
        at += take;
        this.left -= take;
        if (this.left === 0) this.valueOrExtensionDone();
        continue;
      }
      if (this.field === Field.Done) throw fail('data after the trailer');
      const size = this.field === Field.Header ? 19 : this.field === Field.Count ? 2 : 4;
      let bytes: Buffer;
      if (this.gatheredBytes === 0 && piece.length - at >= size) {
        bytes = piece.subarray(at, at + size);
        at += size;
      } else {
        const take = Math.min(size - this.gatheredBytes, piece.length - at);
        piece.copy(this.gathered, this.gatheredBytes, at, at + take);
        this.gatheredBytes += take;
        at += take;
        if (this.gatheredBytes < size) return;
        this.gatheredBytes = 0;
        bytes = this.gathered;
      }
      this.fixedField(bytes);
    }
  }

  /** The output has ended: throws unless the trailer was read. */
  end(): void {
    if (this.field === Field.Header) throw fail('no signature');
    if (this.field !== Field.Done) throw fail('cut short');
  }

  private fixedField(bytes: Buffer): void {
    switch (this.field) {
      case Field.Header:
        if (!bytes.subarray(0, 11).equals(SIGNATURE)) throw fail('no signature');
        // Bit 16 (OIDs included) is the only one defined; critical bits 0-15 must be clear.
        if (bytes.readUInt32BE(11) !== 0) throw fail('unexpected flags');
        this.left = bytes.readUInt32BE(15);
        this.field = this.left > 0 ? Field.Extension : Field.Count;
        return;
      case Field.Count: {
        const fields = bytes.readInt16BE(0);
        if (fields === -1) this.field = Field.Done;
        else if (fields !== 1) throw fail(`${fields} columns, expected 1`);
        else this.field = Field.Length;
        return;
      }
      case Field.Length:
        this.left = bytes.readInt32BE(0);
        if (this.left < 0) throw fail('NULL value');
        this.field = Field.Value;
        if (this.left === 0) this.valueOrExtensionDone();
        return;
    }
  }

  private valueOrExtensionDone(): void {
    if (this.field === Field.Value) this.sink.end();
    this.field = Field.Count;
  }
}

function fail(why: string): Error {
  return new Error(`binary COPY data: ${why}`);
}

/** The values of a whole one-column binary COPY output, each as views of `pieces`. */
export function singleColumnValues(pieces: Buffer[]): Buffer[][] {
  const values: Buffer[][] = [];
  let current: Buffer[] = [];
  const reader = new SingleColumnReader({
    bytes: (view) => current.push(view),
    end: () => {
      values.push(current);
      current = [];
    },
  });
  for (const piece of pieces) reader.push(piece);
  reader.end();
  return values;
}
