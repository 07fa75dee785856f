import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The full-text index without GIN's pending list: with it, the filing that finds the list
 * over `gin_pending_list_limit` merges it while holding the reference counter, and every
 * filing batched behind it waits (tens of ms at intake p99; README, "Intake performance").
 */
export class SearchIndexNoPendingList1795760000000 implements MigrationInterface {
  name = 'SearchIndexNoPendingList1795760000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER INDEX incidents_search_idx SET (fastupdate = off)');
    // Entries already pending go into the index now, not at the next filing.
    await q.query(`SELECT gin_clean_pending_list('incidents_search_idx'::regclass)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER INDEX incidents_search_idx RESET (fastupdate)');
  }
}
