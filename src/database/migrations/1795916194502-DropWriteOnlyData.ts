import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data nothing read: `incidents.version` (bumped, never compared) and the `comments` table (a
 * comment is read back from its timeline event, which holds the same body). The stored answer
 * of an idempotency key is always written with the key, so its columns are NOT NULL.
 */
export class DropWriteOnlyData1795916194502 implements MigrationInterface {
  name = 'DropWriteOnlyData1795916194502';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "incidents" DROP COLUMN "version"`);
    await q.query(`DROP TABLE "comments"`);
    // A row without an answer could only come from a failed write; it cannot be replayed.
    await q.query(
      `DELETE FROM "idempotency_keys" WHERE "status_code" IS NULL OR "response" IS NULL`,
    );
    await q.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "status_code" SET NOT NULL`);
    await q.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "response" SET NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "response" DROP NOT NULL`);
    await q.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "status_code" DROP NOT NULL`);
    await q.query(
      `CREATE TABLE "comments" ("id" uuid NOT NULL DEFAULT uuid_generate_v4(), "incident_id" uuid NOT NULL, "author" character varying(200) NOT NULL, "author_state" character(2), "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8bf68bc960f2b69e818bdb90dcb" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_b9b558ffae75785260f2fe816a" ON "comments" ("incident_id", "created_at")`,
    );
    await q.query(`ALTER TABLE "incidents" ADD "version" integer NOT NULL DEFAULT '1'`);
  }
}
