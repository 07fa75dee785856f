import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sql } from '../common/sql.js';

/** Pending rows per indexing transaction. */
export const STIX_INDEX_BATCH = 500;

/**
 * Turns incidents filed or changed into their stix_objects rows (`ccc_stix_index`, migration
 * StixIndexQueue), after their commit rather than inside it. Readers of stix_objects (TAXII,
 * MISP feeds, exports) call catchUp() before their snapshot, so they see every incident
 * committed before they began, as when the rows were written at commit; StixIndexer keeps
 * the backlog short in between.
 */
@Injectable()
export class StixIndex {
  constructor(private readonly dataSource: DataSource) {}

  /** Indexes what is pending now; what is filed meanwhile is left to the indexer. */
  async catchUp(): Promise<void> {
    const [{ upto }] = await sql<{ upto: string | null }>(
      this.dataSource,
      'SELECT max(seq)::text AS upto FROM stix_pending',
    );
    if (upto === null) return;
    while ((await this.indexBatch(upto)) === STIX_INDEX_BATCH) {
      // a full batch: there may be more up to `upto`
    }
  }

  /** One transaction of up to STIX_INDEX_BATCH pending rows (up to `upto`); how many it took. */
  async indexBatch(upto: string | null = null): Promise<number> {
    const [{ taken }] = await sql<{ taken: number }>(
      this.dataSource,
      'SELECT ccc_stix_index($1, $2::bigint) AS taken',
      [STIX_INDEX_BATCH, upto],
    );
    return taken;
  }
}
