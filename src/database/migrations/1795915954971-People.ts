import { MigrationInterface, QueryRunner } from 'typeorm';

export class People1795915954971 implements MigrationInterface {
  name = 'People1795915954971';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" character(64) NOT NULL, "user_id" uuid NOT NULL, "csrf_secret" character varying(100) NOT NULL, "method" character varying(10) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_abaa9e068cdd390bc5210f7988" ON "sessions"  ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_085d540d9f418cfbdc7bd55bb1" ON "sessions"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "display_name" character varying(200) NOT NULL, "email" character varying(320), "role" character varying(20) NOT NULL, "state" character(2), "locale" character varying(2) NOT NULL DEFAULT 'ru', "password_hash" text, "activation_token_hash" character(64), "activation_expires_at" TIMESTAMP WITH TIME ZONE, "totp_secret" text, "totp_pending_secret" text, "totp_last_step" bigint, "disabled" boolean NOT NULL DEFAULT false, "oidc_issuer" character varying(500), "oidc_subject" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_login_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_fe0bb3f6520ee0469504521e71" ON "users"  ("username") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_bffb485fa657b960092aeb36b2" ON "users"  ("activation_token_hash") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_9b17583a1f77aaea1608046a93" ON "users"  ("oidc_issuer", "oidc_subject") `,
    );
    await queryRunner.query(
      `CREATE TABLE "user_recovery_codes" ("user_id" uuid NOT NULL, "code_hash" character(64) NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a3aedb1641ef06c3a855050420a" PRIMARY KEY ("user_id", "code_hash"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_recovery_codes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9b17583a1f77aaea1608046a93"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bffb485fa657b960092aeb36b2"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_fe0bb3f6520ee0469504521e71"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_085d540d9f418cfbdc7bd55bb1"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_abaa9e068cdd390bc5210f7988"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
