import { randomBytes } from 'node:crypto';
import {
  chunkTupleHead,
  COPY_HEADER,
  COPY_TRAILER,
  isUuid,
  SingleColumnReader,
  singleColumnValues,
} from './pg-binary-copy.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** What PostgreSQL sends for `COPY (SELECT data …) TO STDOUT (FORMAT binary)`. */
function copyOutput(values: Buffer[]): Buffer {
  const tuples = values.map((v) => {
    const head = Buffer.alloc(6);
    head.writeInt16BE(1, 0);
    head.writeInt32BE(v.length, 2);
    return Buffer.concat([head, v]);
  });
  return Buffer.concat([hex('5047434f50590aff0d0a00 00000000 00000000'), ...tuples, hex('ffff')]);
}

describe('binary COPY', () => {
  it('writes the header and trailer of the manual', () => {
    expect(COPY_HEADER).toEqual(hex('5047434f50590aff0d0a00 00000000 00000000'));
    expect(COPY_TRAILER).toEqual(hex('ffff'));
  });

  it('heads a chunk tuple with three fields: uuid, int4 seq, bytea length', () => {
    expect(chunkTupleHead('0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', 7, 262144)).toEqual(
      hex('0003' + '00000010 0189a3b4c5d64e7f8a9b0c1d2e3f4a5b' + '00000004 00000007' + '00040000'),
    );
    expect(() => chunkTupleHead("x'); DROP TABLE attachments; --", 0, 1)).toThrow(/uuid/);
  });

  /** `data` cut into pieces of `size` bytes, as a socket might deliver it. */
  const cut = (data: Buffer, size: number) =>
    Array.from({ length: Math.ceil(data.length / size) }, (_, i) =>
      data.subarray(i * size, (i + 1) * size),
    );
  const joined = (values: Buffer[][]) => values.map((pieces) => Buffer.concat(pieces));
  const read = (data: Buffer) => singleColumnValues([data]);

  it('reads the values of one column as views of the data', () => {
    const values = [Buffer.from('first'), Buffer.alloc(0), Buffer.from([0, 255, 1])];
    const data = copyOutput(values);
    const got = singleColumnValues([data]);
    expect(joined(got)).toEqual(values);
    expect(got[0][0].buffer).toBe(data.buffer); // no copy
    expect(read(copyOutput([]))).toEqual([]);
  });

  it('reads the same values whatever the pieces the data comes in', () => {
    const values = [randomBytes(1000), Buffer.from('x'), randomBytes(300)];
    const data = copyOutput(values);
    for (const size of [1, 2, 3, 5, 7, 19, 64, 999, 1000, 1001]) {
      const pieces = cut(data, size);
      const got = singleColumnValues(pieces);
      expect(joined(got)).toEqual(values);
      // Views of the pieces, never a copy of a value's bytes.
      for (const view of got.flat()) {
        expect(pieces.some((p) => p.buffer === view.buffer)).toBe(true);
      }
    }
  });

  it('hands on the bytes of a value as they arrive, before the value is complete', () => {
    const value = randomBytes(1000);
    const data = copyOutput([value]);
    const got: Buffer[] = [];
    let ends = 0;
    const reader = new SingleColumnReader({ bytes: (v) => got.push(v), end: () => ends++ });
    reader.push(data.subarray(0, 19 + 6 + 400)); // header, tuple head, 400 bytes
    expect(Buffer.concat(got)).toEqual(value.subarray(0, 400));
    expect(ends).toBe(0);
    expect(() => reader.end()).toThrow(/cut short/);
    reader.push(data.subarray(19 + 6 + 400));
    expect(Buffer.concat(got)).toEqual(value);
    expect(ends).toBe(1);
    reader.end();
  });

  it('skips a header extension', () => {
    const data = copyOutput([Buffer.from('x')]);
    const extended = Buffer.concat([
      data.subarray(0, 15),
      hex('00000003 aabbcc'),
      data.subarray(19),
    ]);
    expect(joined(singleColumnValues(cut(extended, 4)))).toEqual([Buffer.from('x')]);
  });

  it('refuses anything else', () => {
    const good = copyOutput([Buffer.from('abc')]);
    expect(() => read(Buffer.from('\\x616263\n'))).toThrow(/signature/);
    expect(() => read(good.subarray(0, 12))).toThrow(/signature/);
    const flags = Buffer.from(good);
    flags.writeUInt32BE(1 << 16, 11); // OIDs included
    expect(() => read(flags)).toThrow(/flags/);
    expect(() => read(good.subarray(0, good.length - 3))).toThrow(/cut short/);
    expect(() => read(good.subarray(0, good.length - 2))).toThrow(/cut short/);
    expect(() => singleColumnValues(cut(good.subarray(0, 23), 2))).toThrow(/cut short/);
    expect(() => read(Buffer.concat([good, hex('00')]))).toThrow(/after/);
    const twoColumns = Buffer.from(good);
    twoColumns.writeInt16BE(2, 19);
    expect(() => read(twoColumns)).toThrow(/2 columns/);
    const nullValue = Buffer.concat([good.subarray(0, 19), hex('0001 ffffffff ffff')]);
    expect(() => read(nullValue)).toThrow(/NULL/);
  });

  it('knows a uuid', () => {
    expect(isUuid('0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b')).toBe(true);
    expect(isUuid("0189a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b'")).toBe(false);
  });
});
