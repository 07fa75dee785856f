import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Where attachment bytes live. Writes happen inside the transaction that records the
 * metadata (the `manager`), so a failed or aborted upload leaves no bytes behind; reads
 * stream a byte range without holding the file in memory.
 */
export interface AttachmentStore {
  /** A writer for one attachment's bytes, in order, within `manager`'s transaction. */
  writer(manager: EntityManager, attachmentId: string): AttachmentWriter;
  /** Bytes `start`..`end` (inclusive) of a stored attachment, as a stream of buffers. */
  read(attachmentId: string, start: number, end: number): AsyncIterable<Buffer>;
  /** Destroys the bytes, within `manager`'s transaction. */
  destroy(manager: EntityManager, attachmentId: string): Promise<void>;
}

export interface AttachmentWriter {
  /** Takes the next bytes; resolves when they may be reused (backpressure). */
  write(bytes: Buffer): Promise<void>;
  /** Writes whatever is buffered; call once, after the last write. */
  finish(): Promise<void>;
}

export const ATTACHMENT_STORE = Symbol('ATTACHMENT_STORE');

/** Size of one bytea row: big enough to keep row overhead low, small enough to stream. */
export const CHUNK_SIZE = 256 * 1024;
/** Chunks fetched per query when reading (1 MiB); one batch is prefetched while one is sent. */
const READ_BATCH = 4;

/**
 * The default store: the bytes in PostgreSQL as 256 KiB `bytea` rows of attachment_chunks,
 * so backups, replication and transactions cover evidence like everything else.
 */
@Injectable()
export class PgAttachmentStore implements AttachmentStore {
  constructor(private readonly dataSource: DataSource) {}

  writer(manager: EntityManager, attachmentId: string): AttachmentWriter {
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    // One INSERT in flight while the next chunk arrives from the network: the transfer and
    // the database write overlap, and memory stays at two chunks.
    let inflight: Promise<unknown> = Promise.resolve();
    const flush = async (bytes: Buffer) => {
      await inflight;
      inflight = manager.query(
        'INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES ($1, $2, $3)',
        [attachmentId, seq++, bytes],
      );
      inflight.catch(() => undefined); // rethrown by the next await of it
    };
    return {
      async write(bytes: Buffer) {
        pending.push(bytes);
        pendingBytes += bytes.length;
        while (pendingBytes >= CHUNK_SIZE) {
          const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
          await flush(all.subarray(0, CHUNK_SIZE));
          const rest = all.subarray(CHUNK_SIZE);
          pending = rest.length ? [rest] : [];
          pendingBytes = rest.length;
        }
      },
      async finish() {
        if (pendingBytes > 0) await flush(Buffer.concat(pending, pendingBytes));
        pending = [];
        pendingBytes = 0;
        await inflight;
      },
    };
  }

  async *read(attachmentId: string, start: number, end: number): AsyncIterable<Buffer> {
    const first = Math.floor(start / CHUNK_SIZE);
    const last = Math.floor(end / CHUNK_SIZE);
    // A batch of chunks per query, the next one fetched while this one is sent: memory
    // stays at two batches per download, whatever the file size.
    const batch = (from: number) =>
      this.chunks(attachmentId, from, Math.min(from + READ_BATCH, last + 1) - 1);
    let next = batch(first);
    for (let from = first; from <= last; from += READ_BATCH) {
      const rows = await next;
      if (from + READ_BATCH <= last) {
        next = batch(from + READ_BATCH);
        next.catch(() => undefined); // rethrown when awaited
      }
      for (let seq = from; seq < from + rows.length; seq++) {
        const data = rows[seq - from];
        const offset = seq * CHUNK_SIZE;
        yield data.subarray(
          seq === first ? start - offset : 0,
          seq === last ? end - offset + 1 : data.length,
        );
      }
    }
  }

  /**
   * Chunks `from`..`to` in order. Text result format (hex, decoded in C++ by Buffer.from):
   * the pg driver decodes every binary-format field as UTF-8 text, which corrupts bytea.
   */
  private async chunks(attachmentId: string, from: number, to: number): Promise<Buffer[]> {
    const rows = await this.dataSource.query<{ data: Buffer }[]>(
      'SELECT data FROM attachment_chunks WHERE attachment_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq',
      [attachmentId, from, to],
    );
    if (rows.length !== to - from + 1) {
      throw new Error(`attachment ${attachmentId}: chunks ${from}..${to} missing`);
    }
    return rows.map((r) => r.data);
  }

  async destroy(manager: EntityManager, attachmentId: string): Promise<void> {
    await manager.query('DELETE FROM attachment_chunks WHERE attachment_id = $1', [attachmentId]);
  }
}
