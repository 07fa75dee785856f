import type { Socket } from 'node:net';
import type { Connection, Submittable } from 'pg';

/** pg's connection, with the method its typings leave out. */
type PgConnection = Connection & { readonly stream: Socket; sendCopyFail(message: string): void };

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

/**
 * A `COPY … FROM STDIN` run through pg's `client.query(submittable)`, written one CopyData
 * message at a time: `send` writes a message's header and parts to the socket corked, as one
 * system call, where pg-copy-streams makes two writes (a header, then the bytes) of every
 * buffer it is given. `end` finishes the COPY, `fail` gives up on it (CopyFail: the server
 * keeps none of it); both resolve once the server has answered, so the connection is idle
 * again. `done` rejects with pg's error should the server refuse.
 */
export class CopyIn implements Submittable {
  readonly done: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: Error) => void };
  private connection: PgConnection | null = null;
  private started!: () => void;
  private readonly ready: Promise<void>;
  private failure: Error | null = null;
  private copying = false;
  private failing: string | null = null;

  constructor(private readonly text: string) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined); // rethrown to whoever awaits it
    this.ready = new Promise((resolve) => (this.started = resolve));
  }

  /** pg's query timeout wraps this when set (as for pg-copy-streams). */
  callback(): void {}

  submit(connection: Connection): void {
    this.connection = connection as PgConnection;
    connection.query(this.text);
  }

  handleCopyInResponse(): void {
    this.copying = true;
    if (this.failing !== null) this.connection?.sendCopyFail(this.failing);
    this.started();
  }

  handleError(err: Error): void {
    this.failure ??= err;
    this.started(); // wakes a send waiting for the COPY to start
    this.settle.reject(err);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (!this.failure) this.settle.resolve();
  }

  /**
   * Sends one CopyData message holding `parts`; resolves when the socket takes more (the
   * caller's backpressure), rejects if the COPY failed.
   */
  async send(parts: Buffer[]): Promise<void> {
    await this.ready;
    if (this.failure) throw this.failure;
    const socket = this.connection!.stream;
    let length = 4;
    for (const part of parts) length += part.length;
    const head = Buffer.allocUnsafe(5);
    head[0] = COPY_DATA;
    head.writeUInt32BE(length, 1);
    socket.cork();
    let ok = socket.write(head);
    for (const part of parts) ok = socket.write(part);
    socket.uncork();
    if (!ok) await drained(socket);
  }

  /** Ends the COPY; resolves once the server has stored the rows. */
  async end(): Promise<void> {
    await this.ready;
    if (this.failure) throw this.failure;
    this.connection!.stream.write(COPY_DONE);
    await this.done;
  }

  /** Gives up: the server discards the rows. Resolves once it has answered. */
  async fail(message: string): Promise<void> {
    if (this.failure || this.failing !== null) return this.done.catch(() => undefined);
    this.failing = message;
    // Before CopyInResponse, handleCopyInResponse sends it.
    if (this.copying) this.connection!.sendCopyFail(message);
    await this.done.catch(() => undefined);
  }
}

/** Resolves on the socket's next 'drain'; rejects if it closes first. */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      socket.off('drain', onDrain);
      reject(new Error('PostgreSQL connection closed during COPY'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}
