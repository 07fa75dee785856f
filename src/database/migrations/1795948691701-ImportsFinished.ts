import { MigrationInterface, QueryRunner } from 'typeorm';

/** Finished imports by completion time, for their purge (src/imports/imports.purge.ts). */
export class ImportsFinished1795948691701 implements MigrationInterface {
  name = 'ImportsFinished1795948691701';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "imports_finished_idx" ON "imports"  ("completed_at") WHERE status <> 'pending'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."imports_finished_idx"`);
  }
}
