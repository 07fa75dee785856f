import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { isUuid, SingleColumnReader } from './pg-binary-copy.js';
import { CopyOut } from './pg-copy-out.js';
import { bytesBuffered } from './young-generation.js';

/** A pool connection lent for one batch. */
export interface Lease {
  client: PoolClient;
  release(): Promise<void>;
}

/**
 * Bytes `start`..`end` (inclusive) of an attachment stored as `chunkSize`-byte rows of
 * attachment_chunks, as a byte stream. The rows are read in batches of `batch` chunks, one
 * binary `COPY (SELECT …) TO STDOUT` each on a connection borrowed for that batch, and their
 * bytes are pushed on as they come off the socket (views of the received buffers, trimmed to
 * the range), so a client that keeps up takes them almost at once. Whatever the client's
 * pace, each COPY is read to its end and its connection returned at once: a slow client
 * holds no connection, only what is buffered. The next batch starts when less than a batch
 * is waiting to be sent, so memory stays under two batches per download.
 */
export class ChunkRangeStream extends Readable {
  private next: number;
  private readonly last: number;
  private copying = false;
  private sent = 0;

  constructor(
    private readonly lease: () => Promise<Lease>,
    private readonly attachmentId: string,
    private readonly start: number,
    private readonly end: number,
    private readonly chunkSize: number,
    private readonly batch: number,
  ) {
    super({ highWaterMark: batch * chunkSize });
    if (!isUuid(attachmentId) || !Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
      throw new Error(`attachment range: bad reference ${attachmentId} ${start}..${end}`);
    }
    this.next = Math.floor(start / chunkSize);
    this.last = Math.floor(end / chunkSize);
  }

  override _read(): void {
    if (this.copying || this.next > this.last) return;
    const from = this.next;
    const to = Math.min(from + this.batch - 1, this.last);
    this.next = to + 1;
    this.copying = true;
    this.copyBatch(from, to).then(
      () => {
        this.copying = false;
        if (this.destroyed) return;
        if (this.next > this.last) {
          if (this.sent !== this.end - this.start + 1) {
            this.destroy(new Error(`attachment ${this.attachmentId}: bytes missing`));
          } else this.push(null);
        } else if (this.readableLength < this.readableHighWaterMark) {
          this._read(); // the client keeps up: the next batch at once
        } // else _read is called again once the client has taken enough
      },
      (err: Error) => this.destroy(err),
    );
  }

  /** Chunks `from`..`to`, pushed as they arrive; rejects if one is missing or malformed. */
  private async copyBatch(from: number, to: number): Promise<void> {
    let seq = from;
    let offset = seq * this.chunkSize; // of the next byte, in the file
    const reader = new SingleColumnReader({
      bytes: (view) => {
        const begin = Math.max(this.start - offset, 0);
        const stop = Math.min(this.end + 1 - offset, view.length);
        offset += view.length;
        if (stop > begin && !this.destroyed) {
          this.sent += stop - begin;
          this.push(begin === 0 && stop === view.length ? view : view.subarray(begin, stop));
        }
      },
      end: () => {
        seq++;
        offset = seq * this.chunkSize;
      },
    });
    const { client, release } = await this.lease();
    try {
      // COPY takes no parameters: the values were checked, then written into the statement.
      const copy = new CopyOut(
        `COPY (SELECT data FROM attachment_chunks WHERE attachment_id = '${this.attachmentId}'
               AND seq BETWEEN ${from} AND ${to} ORDER BY seq) TO STDOUT (FORMAT binary)`,
        (payload) => {
          reader.push(payload);
          bytesBuffered(payload.length);
        },
      );
      client.query(copy);
      await copy.done;
    } finally {
      await release();
    }
    reader.end();
    if (seq !== to + 1) {
      throw new Error(`attachment ${this.attachmentId}: chunks ${seq}..${to} missing`);
    }
  }
}
