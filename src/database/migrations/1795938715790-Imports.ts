import { MigrationInterface, QueryRunner } from 'typeorm';

/** Imports (src/imports/import.entity.ts): requests, their items, and what was imported from where. */
export class Imports1795938715790 implements MigrationInterface {
  name = 'Imports1795938715790';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "imports" ("id" uuid NOT NULL, "format" character varying(10) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'pending', "reporting_state" character varying(2) NOT NULL, "importer" jsonb NOT NULL, "defaults" jsonb NOT NULL, "payload" text, "objects" jsonb, "total" integer NOT NULL DEFAULT '0', "message" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ea10c62f5eb1d75e83d8b5225db" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "imports_pending_idx" ON "imports"  ("created_at") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "import_items" ("import_id" uuid NOT NULL, "position" integer NOT NULL, "ref" text NOT NULL, "outcome" character varying(10) NOT NULL, "incident_id" uuid, "message" jsonb, "members" text array NOT NULL, CONSTRAINT "PK_432da5215c1639ee894e70c6697" PRIMARY KEY ("import_id", "position"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "imported_objects" ("source" character varying(2) NOT NULL, "external_id" text NOT NULL, "version" text NOT NULL, "content_hash" character varying(64) NOT NULL, "incident_id" uuid NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_83dfc77c5a0bcdb981787687a8f" PRIMARY KEY ("source", "external_id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "imported_objects"`);
    await queryRunner.query(`DROP TABLE "import_items"`);
    await queryRunner.query(`DROP INDEX "public"."imports_pending_idx"`);
    await queryRunner.query(`DROP TABLE "imports"`);
  }
}
