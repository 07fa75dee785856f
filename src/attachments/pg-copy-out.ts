import type { Socket } from 'node:net';
import type { Connection, Submittable } from 'pg';

/** PostgreSQL backend message types a COPY TO STDOUT sends (protocol "Message Formats"). */
const COPY_OUT_RESPONSE = 0x48; // 'H'
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
/** Sent at any time; skipped here (pg-copy-streams does the same). */
const INTERSPERSED = new Set([0x4e /* N notice */, 0x53 /* S parameter */, 0x41 /* A notify */]);

type DataListener = (buffer: Buffer) => void;

/**
 * A `COPY … TO STDOUT` run through pg's `client.query(submittable)` that hands the data on
 * as views of the buffers read from the socket: nothing is copied or joined. (pg itself
 * gathers each CopyData message in its parser's buffer, and pg-copy-streams joins whatever
 * the socket has buffered into a new buffer; every new buffer adds to the external memory
 * after which V8 marks the service's whole heap.) Like pg-copy-streams, it takes the socket's
 * 'data' from pg for the duration of the COPY and gives it back, with whatever follows
 * CopyDone (CommandComplete, ReadyForQuery) or an ErrorResponse, for pg to handle.
 *
 * `onData` gets the CopyData payloads in order (rows split anywhere) as they arrive; `done`
 * resolves once PostgreSQL has confirmed the COPY, or rejects with pg's error or with what
 * `onData` threw (then only once the COPY is over: the connection is idle again).
 */
export class CopyOut implements Submittable {
  readonly done: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: Error) => void };
  private failed = false;
  /** What onData threw: the rest is read and dropped, then `done` rejects with it. */
  private dropped: Error | null = null;
  private socket: Socket | null = null;
  private pgListener: DataListener | null = null;
  /** The header (type byte and length) being read, when it straddles two buffers. */
  private readonly header = Buffer.alloc(5);
  private headerBytes = 0;
  private type = 0;
  /** Payload bytes of the current message still to come. */
  private left = 0;

  constructor(
    private readonly text: string,
    private readonly onData: (payload: Buffer) => void,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined); // rethrown to whoever awaits it
  }

  /** pg's query timeout wraps this when set (as for pg-copy-streams). */
  callback(): void {}

  /** Returns an error instead of starting (pg then calls handleError), as pg expects. */
  submit(connection: Connection): Error | undefined {
    const socket = connection.stream as Socket;
    const listeners = socket.listeners('data') as DataListener[];
    if (listeners.length !== 1) return new Error('COPY out: unexpected socket listeners');
    this.socket = socket;
    this.pgListener = listeners[0];
    socket.removeListener('data', this.pgListener);
    socket.on('data', this.onSocketData);
    connection.query(this.text);
    return undefined;
  }

  handleError(err: Error): void {
    this.failed = true;
    this.detach(null); // when the socket failed mid-COPY
    this.settle.reject(err);
  }

  handleReadyForQuery(): void {
    if (this.failed) return;
    if (this.dropped) this.settle.reject(this.dropped);
    else this.settle.resolve();
  }

  handleCommandComplete(): void {}

  private readonly onSocketData = (buffer: Buffer): void => {
    let at = 0;
    while (at < buffer.length) {
      if (this.left > 0) {
        const take = Math.min(this.left, buffer.length - at);
        const payload = buffer.subarray(at, at + take);
        this.left -= take;
        at += take;
        if (this.type === COPY_DATA) this.deliver(payload);
        continue;
      }
      // A message header: type byte and length (which counts itself, not the type).
      let start = at;
      if (this.headerBytes === 0 && buffer.length - at >= 5) {
        this.type = buffer[at];
        this.left = buffer.readUInt32BE(at + 1) - 4;
        at += 5;
      } else {
        const take = Math.min(5 - this.headerBytes, buffer.length - at);
        buffer.copy(this.header, this.headerBytes, at, at + take);
        this.headerBytes += take;
        at += take;
        if (this.headerBytes < 5) return;
        this.headerBytes = 0;
        this.type = this.header[0];
        this.left = this.header.readUInt32BE(1) - 4;
        start = -1; // the header is in this.header, not in buffer
      }
      if (this.type === COPY_DONE) {
        this.left = 0;
        this.detach(buffer.subarray(at));
        return;
      }
      if (
        this.type !== COPY_DATA &&
        this.type !== COPY_OUT_RESPONSE &&
        !INTERSPERSED.has(this.type)
      ) {
        // ErrorResponse or anything unexpected: pg reads it from its start.
        const rest =
          start >= 0 ? buffer.subarray(start) : Buffer.concat([this.header, buffer.subarray(at)]);
        this.left = 0;
        this.detach(rest);
        return;
      }
    }
  };

  /** Hands a payload on; once onData has thrown (bad data), the rest is dropped. */
  private deliver(payload: Buffer): void {
    if (this.dropped) return;
    try {
      this.onData(payload);
    } catch (err) {
      this.dropped = err as Error;
    }
  }

  /** Gives the socket back to pg, with the bytes it has not read yet. */
  private detach(rest: Buffer | null): void {
    const socket = this.socket;
    const pgListener = this.pgListener;
    if (!socket || !pgListener) return;
    this.socket = null;
    this.pgListener = null;
    socket.removeListener('data', this.onSocketData);
    socket.on('data', pgListener);
    if (rest && rest.length > 0) pgListener(rest);
  }
}
