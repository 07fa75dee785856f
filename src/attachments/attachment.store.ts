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
    const flush = async (bytes: Buffer) => {
      await manager.query(
        'INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES ($1, $2, $3)',
        [attachmentId, seq++, bytes],
      );
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
      },
    };
  }

  async *read(attachmentId: string, start: number, end: number): AsyncIterable<Buffer> {
    const first = Math.floor(start / CHUNK_SIZE);
    const last = Math.floor(end / CHUNK_SIZE);
    // One chunk per query: memory stays at one chunk per download, whatever the file size.
    for (let seq = first; seq <= last; seq++) {
      const rows = await this.dataSource.query<{ data: Buffer }[]>(
        'SELECT data FROM attachment_chunks WHERE attachment_id = $1 AND seq = $2',
        [attachmentId, seq],
      );
      if (rows.length === 0) throw new Error(`attachment ${attachmentId}: chunk ${seq} missing`);
      const offset = seq * CHUNK_SIZE;
      const from = seq === first ? start - offset : 0;
      const to = seq === last ? end - offset + 1 : rows[0].data.length;
      yield rows[0].data.subarray(from, to);
    }
  }

  async destroy(manager: EntityManager, attachmentId: string): Promise<void> {
    await manager.query('DELETE FROM attachment_chunks WHERE attachment_id = $1', [attachmentId]);
  }
}
