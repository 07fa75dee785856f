import { PassThrough, Readable } from 'node:stream';
import { piecesOf } from './stream-pieces.js';

const collect = async (stream: Readable) => {
  const got: Buffer[] = [];
  for await (const piece of piecesOf(stream)) got.push(piece);
  return got;
};

describe('piecesOf', () => {
  it('hands over each buffer as pushed, even when several wait (for await would join them)', async () => {
    const pieces = [Buffer.from('one'), Buffer.from('two'), Buffer.from('three')];
    const stream = new PassThrough();
    for (const piece of pieces) stream.write(piece);
    stream.end();
    await new Promise((r) => setImmediate(r)); // all three buffered before the first read
    const got = await collect(stream);
    expect(got).toEqual(pieces);
    got.forEach((piece, i) => expect(piece.buffer).toBe(pieces[i].buffer));
  });

  it('holds the source back while the consumer is busy', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < 50; i++) {
        written++;
        if (!stream.write(Buffer.from('abcd'))) await new Promise((r) => stream.once('drain', r));
      }
      stream.end();
    })();
    const iterator = piecesOf(stream)[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((r) => setTimeout(r, 50)); // the consumer is slow
    expect(written).toBeLessThan(10);
    let count = 1;
    while (!(await iterator.next()).done) count++;
    await writer;
    expect(count).toBe(50);
  });

  it("throws the stream's error, or a premature close", async () => {
    const failing = new PassThrough();
    failing.write(Buffer.from('x'));
    setImmediate(() => failing.destroy(new Error('connection reset')));
    await expect(collect(failing)).rejects.toThrow('connection reset');
    const cut = new PassThrough();
    setImmediate(() => cut.destroy());
    await expect(collect(cut)).rejects.toThrow('Premature close');
  });

  it('destroys the stream when the caller stops early', async () => {
    const stream = Readable.from([Buffer.from('a'), Buffer.from('b')], { objectMode: false });
    for await (const piece of piecesOf(stream)) {
      expect(piece).toEqual(Buffer.from('a'));
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});
