import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `key_prefix` held the first characters of each key's secret (of the operator-chosen
 * bootstrap secret too) and was listed: no part of a secret is stored or shown.
 */
export class DropApiKeyPrefix1795770300000 implements MigrationInterface {
  name = 'DropApiKeyPrefix1795770300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "api_keys" DROP COLUMN "key_prefix"');
  }

  public async down(q: QueryRunner): Promise<void> {
    // The prefixes cannot come back: the secrets are not stored.
    await q.query(
      `ALTER TABLE "api_keys" ADD "key_prefix" character varying(16) NOT NULL DEFAULT ''`,
    );
    await q.query('ALTER TABLE "api_keys" ALTER COLUMN "key_prefix" DROP DEFAULT');
  }
}
