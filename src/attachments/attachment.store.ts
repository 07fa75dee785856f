import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { ChunkRangeStream, type Lease } from './chunk-range-stream.js';
import { chunkTupleHead, COPY_HEADER, COPY_TRAILER, isUuid } from './pg-binary-copy.js';
import { CopyIn } from './pg-copy-in.js';

/**
 * Where attachment bytes live. Writes happen inside the transaction that records the
 * metadata (the `manager`), so a failed or aborted upload leaves no bytes behind; reads
 * stream a byte range without holding the file in memory.
 */
export interface AttachmentStore {
  /** A writer for one attachment's bytes, in order, within `manager`'s transaction. */
  writer(manager: EntityManager, attachmentId: string): AttachmentWriter;
  /** Bytes `start`..`end` (inclusive) of a stored attachment, as a byte stream. */
  read(attachmentId: string, start: number, end: number): Readable;
  /** Destroys the bytes, within `manager`'s transaction. */
  destroy(manager: EntityManager, attachmentId: string): Promise<void>;
}

export interface AttachmentWriter {
  /** Takes the next bytes; resolves when they may be reused (backpressure). */
  write(bytes: Buffer): Promise<void>;
  /** Writes whatever is buffered; call once, after the last write. */
  finish(): Promise<void>;
  /**
   * Gives up: call when the upload fails (instead of finish). Resolves once the store has
   * stopped writing, so the caller's transaction may roll back on an idle connection.
   */
  abort(): Promise<void>;
}

export const ATTACHMENT_STORE = Symbol('ATTACHMENT_STORE');

/** Size of one bytea row: big enough to keep row overhead low, small enough to stream. */
export const CHUNK_SIZE = 256 * 1024;
/**
 * Chunks read per COPY (2 MiB): a download holds at most about two batches. Larger batches
 * (4 MiB) measured no faster; each COPY borrows a pool connection only while it runs.
 */
const READ_BATCH = 8;

/**
 * The default store: the bytes in PostgreSQL as 256 KiB `bytea` rows of attachment_chunks,
 * so backups, replication and transactions cover evidence like everything else. Both ways
 * use binary COPY, driven through pg's client by CopyIn and CopyOut: the bytes go to and
 * come from the server as they are, where INSERT parameters and query results would carry
 * them as hex text, and one COPY writes every row of an upload.
 */
@Injectable()
export class PgAttachmentStore implements AttachmentStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One `COPY attachment_chunks FROM STDIN (FORMAT binary)` on the transaction's connection,
   * started by the first write and ended by finish (or abort: CopyFail, and the server keeps
   * none of it). The bytes are forwarded as they arrive, one CopyData message per 256 KiB row
   * (its tuple header and the received buffers, written in one system call); memory stays at
   * one row plus the socket's buffer, as the socket's backpressure holds the upload.
   */
  writer(manager: EntityManager, attachmentId: string): AttachmentWriter {
    if (!isUuid(attachmentId)) throw new Error(`not a uuid: ${attachmentId}`);
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('attachment writer outside a transaction');
    let copy: CopyIn | null = null;
    let seq = 0;
    let row: Buffer[] = []; // the bytes of the row being filled, as received (no copies)
    let rowBytes = 0;
    let header = [COPY_HEADER]; // sent with the first row

    const start = async () => {
      const client = (await runner.connect()) as PoolClient;
      copy = new CopyIn(
        'COPY attachment_chunks (attachment_id, seq, data) FROM STDIN (FORMAT binary)',
      );
      client.query(copy);
    };
    /** One CopyData message per row: its tuple header and bytes, written as one. */
    const sendRow = async (trailer: Buffer[] = []) => {
      const parts = [...header, chunkTupleHead(attachmentId, seq++, rowBytes), ...row, ...trailer];
      header = [];
      row = [];
      rowBytes = 0;
      await copy!.send(parts);
    };
    return {
      async write(bytes: Buffer) {
        if (!copy) await start();
        for (let at = 0; at < bytes.length;) {
          const take = Math.min(bytes.length - at, CHUNK_SIZE - rowBytes);
          row.push(at === 0 && take === bytes.length ? bytes : bytes.subarray(at, at + take));
          rowBytes += take;
          at += take;
          if (rowBytes === CHUNK_SIZE) await sendRow();
        }
      },
      async finish() {
        if (!copy) return; // nothing was written
        if (rowBytes > 0) await sendRow([COPY_TRAILER]);
        else await copy.send([...header, COPY_TRAILER]);
        await copy.end();
      },
      async abort() {
        row = [];
        // CopyFail: the server discards the rows and answers with an error, awaited here.
        await copy?.fail('attachment upload aborted');
      },
    };
  }

  read(attachmentId: string, start: number, end: number): Readable {
    const lease = async (): Promise<Lease> => {
      const runner = this.dataSource.createQueryRunner();
      try {
        const client = (await runner.connect()) as PoolClient;
        return { client, release: () => runner.release() };
      } catch (err) {
        await runner.release();
        throw err;
      }
    };
    return new ChunkRangeStream(lease, attachmentId, start, end, CHUNK_SIZE, READ_BATCH);
  }

  async destroy(manager: EntityManager, attachmentId: string): Promise<void> {
    await manager.query('DELETE FROM attachment_chunks WHERE attachment_id = $1', [attachmentId]);
  }
}
