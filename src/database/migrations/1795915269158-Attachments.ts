import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence attachments (owned by src/attachments): metadata, and the bytes in 256 KiB
 * bytea chunks. Chunks are stored EXTERNAL (out of line, uncompressed): evidence is mostly
 * compressed already, and reading a byte range then touches only the TOAST pages it needs.
 */
export class Attachments1795915269158 implements MigrationInterface {
  name = 'Attachments1795915269158';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "attachments" ("id" uuid NOT NULL, "incident_id" uuid NOT NULL, "filename" character varying(255) NOT NULL, "original_filename" text, "size" bigint NOT NULL, "content_type" character varying(100) NOT NULL, "sha256" character(64) NOT NULL, "sha1" character(40) NOT NULL, "md5" character(32) NOT NULL, "malware" boolean NOT NULL DEFAULT false, "description" character varying(1000), "uploaded_by" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "deleted_by" character varying(200), CONSTRAINT "PK_5e1f050bcff31e3084a1d662412" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "attachment_chunks" ("attachment_id" uuid NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_b3f87b06f9e4d1e422188082313" PRIMARY KEY ("attachment_id", "seq"))`,
    );
    await q.query('ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL');
    await q.query(
      'CREATE INDEX attachments_incident_idx ON attachments (incident_id, created_at, id)',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX attachments_incident_idx');
    await q.query(`DROP TABLE "attachment_chunks"`);
    await q.query(`DROP TABLE "attachments"`);
  }
}
