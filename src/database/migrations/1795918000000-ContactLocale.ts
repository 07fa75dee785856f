import { MigrationInterface, QueryRunner } from 'typeorm';

/** E-mail contacts choose the language of their e-mails; existing ones get Russian. */
export class ContactLocale1795918000000 implements MigrationInterface {
  name = 'ContactLocale1795918000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contacts" ADD "locale" character varying(2)`);
    await queryRunner.query(`UPDATE "contacts" SET "locale" = 'ru' WHERE "type" = 'email'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contacts" DROP COLUMN "locale"`);
  }
}
