import type { Readable } from 'node:stream';

/** Pieces queued before the stream is paused (backpressure to its source). */
const QUEUED = 2;

/**
 * The buffers of a byte stream one by one, as its source pushed them. (`for await` on a
 * Readable joins whatever is buffered into one new buffer: a copy of every byte, and new
 * external memory, which makes V8 mark the whole heap sooner.) Throws the stream's error,
 * or a premature close; destroys the stream when the caller stops early, as `for await`
 * does.
 */
export async function* piecesOf(stream: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  const onData = (piece: Buffer) => {
    queue.push(piece);
    if (queue.length >= QUEUED) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: Error) => {
    failure ??= err;
    notify();
  };
  const onClose = () => {
    if (!ended)
      failure ??= Object.assign(new Error('Premature close'), {
        code: 'ERR_STREAM_PREMATURE_CLOSE',
      });
    notify();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  stream.on('close', onClose);
  try {
    for (;;) {
      const error = failure as Error | null; // set by the listeners
      if (error) throw error;
      const piece = queue.shift();
      if (piece) {
        if (queue.length < QUEUED && stream.isPaused()) stream.resume();
        yield piece;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    stream.off('close', onClose);
    if (!ended) stream.destroy();
  }
}
