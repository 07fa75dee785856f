import { MigrationInterface, QueryRunner } from 'typeorm';

// Defaults were uuid_generate_v4() (the uuid-ossp extension); see UuidDefaults1795770300100.
export class Init1795745672372 implements MigrationInterface {
  name = 'Init1795745672372';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "role" character varying(20) NOT NULL, "state" character(2), "key_hash" character(64) NOT NULL, "key_prefix" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_57384430aa1959f4578046c9b8" ON "api_keys"  ("key_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("seq" bigint NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" character varying(200) NOT NULL, "action" character varying(60) NOT NULL, "target_type" character varying(40) NOT NULL, "target_id" character varying(100), "change" text NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_ce5b9b7d945cab0a6c604bafd9e" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_07fefa57f7f5ab8fc3f52b3ed0" ON "audit_log"  ("id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_281532d496a1b2fdbfea5f7261" ON "audit_log"  ("action", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "incidents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" character varying(20) NOT NULL, "title" character varying(300) NOT NULL, "description" text, "category" character varying(100) NOT NULL, "severity" character varying(10) NOT NULL, "tlp" character varying(20) NOT NULL, "sector" character varying(20) NOT NULL, "reporting_state" character(2) NOT NULL, "affected_states" text array NOT NULL DEFAULT '{}', "suggested_states" text array NOT NULL DEFAULT '{}', "status" character varying(20) NOT NULL DEFAULT 'new', "assignee" character varying(100), "occurred_at" TIMESTAMP WITH TIME ZONE, "detected_at" TIMESTAMP WITH TIME ZONE, "resolution_summary" text, "lessons_learned" text, "duplicate_of" uuid, "resolved_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ccb34c01719889017e2246469f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_7c1535ac82eb2552e0000721e7" ON "incidents"  ("reference") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_49bfc3a9a6ff6c1eb45a86cf26" ON "incidents"  ("assignee") `,
    );
    await queryRunner.query(
      `CREATE TABLE "incident_observables" ("incident_id" uuid NOT NULL, "position" integer NOT NULL, "type" character varying(10) NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_2d78d3a35eb67505014072f3e03" PRIMARY KEY ("incident_id", "position"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "incident_observables_value_idx" ON "incident_observables"  ("type", "value", "incident_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "reference_counters" ("year" integer NOT NULL, "last_value" integer NOT NULL, CONSTRAINT "PK_d3f15305259a907cc69d4df1c46" PRIMARY KEY ("year"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("api_key_id" uuid NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "status_code" integer, "response" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_913ded668c974d019eb0196e639" PRIMARY KEY ("api_key_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_e5fc0731b6752a8e9194fa265e" ON "idempotency_keys"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "timeline_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "type" character varying(30) NOT NULL, "actor" character varying(200) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "data" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_a7267f3a55a080185192d21cd5a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "comments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "author" character varying(200) NOT NULL, "author_state" character(2), "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8bf68bc960f2b69e818bdb90dcb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_b9b558ffae75785260f2fe816a" ON "comments"  ("incident_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "member_states" ("code" character(2) NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d05d6b3725dfeef9087a73a21da" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "constituency_domains" ("state_code" character(2) NOT NULL, "domain" text NOT NULL, CONSTRAINT "PK_077db26036b1b55402265a55242" PRIMARY KEY ("state_code", "domain"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_a1aec284958fe96c84e7df70d8" ON "constituency_domains"  ("domain") `,
    );
    await queryRunner.query(
      `CREATE TABLE "constituency_cidrs" ("state_code" character(2) NOT NULL, "cidr" cidr NOT NULL, CONSTRAINT "PK_e18051ac3139587b30b794881a7" PRIMARY KEY ("state_code", "cidr"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "constituency_asns" ("state_code" character(2) NOT NULL, "asn" bigint NOT NULL, CONSTRAINT "PK_e6f4bd052a636f0a93bb7fb328c" PRIMARY KEY ("state_code", "asn"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_81c604675fce5de624bd43eb1c" ON "constituency_asns"  ("asn") `,
    );
    await queryRunner.query(
      `CREATE TABLE "contacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "party" character varying(3) NOT NULL, "position" integer NOT NULL, "type" character varying(10) NOT NULL, "url" text, "secret" text, "address" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b99cd40cfd66a99f1571f4f72e6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_80ed90b8f93c1dddbc8c86af03" ON "contacts"  ("party", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox" ("seq" BIGSERIAL NOT NULL, "event_id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(40) NOT NULL, "party" character varying(3) NOT NULL, "incident_id" uuid, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_acf0725c6a7245b71c651964ee4" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_cc0c9e40998e45ecfc5e313429" ON "outbox"  ("event_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "event" character varying(40) NOT NULL, "incident_id" uuid, "party" character varying(3) NOT NULL, "contact_id" uuid, "channel" character varying(10) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_9ee0e2cd11cf01e444e552bb745" UNIQUE ("event_id", "contact_id"), CONSTRAINT "PK_a6ef225c5c5f0974e503bfb731f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_521717104eec423a1faa3e7711" ON "deliveries"  ("incident_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_eeee67c778fd4f5bab7729d289" ON "deliveries"  ("status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "delivery_attempts" ("id" BIGSERIAL NOT NULL, "delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "status_code" integer, "error" text, "duration_ms" integer NOT NULL, CONSTRAINT "PK_41eba4eb5401d72860f7cd9a7ac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_8f45eec1a24d272c677e5798b3" ON "delivery_attempts"  ("delivery_id", "attempt") `,
    );
    await queryRunner.query(
      `CREATE TABLE "reports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(10) NOT NULL, "period_from" TIMESTAMP WITH TIME ZONE NOT NULL, "period_to" TIMESTAMP WITH TIME ZONE NOT NULL, "audience" character varying(10) NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'queued', "content" jsonb, "error" text, "requested_by" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d9013193989303580053c0b5ef6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dispatches" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "state" character(2) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'pending', "notified_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" character varying(200), "escalation_level" integer NOT NULL DEFAULT '0', "ack_deadline" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_b701f80dfab738e406c6447e191" UNIQUE ("incident_id", "state"), CONSTRAINT "PK_e4f5defc12b20b66acf58f5c8b9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "dispatches_state_idx" ON "dispatches"  ("state", "incident_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."dispatches_state_idx"`);
    await queryRunner.query(`DROP TABLE "dispatches"`);
    await queryRunner.query(`DROP TABLE "reports"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8f45eec1a24d272c677e5798b3"`);
    await queryRunner.query(`DROP TABLE "delivery_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_eeee67c778fd4f5bab7729d289"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_521717104eec423a1faa3e7711"`);
    await queryRunner.query(`DROP TABLE "deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cc0c9e40998e45ecfc5e313429"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_80ed90b8f93c1dddbc8c86af03"`);
    await queryRunner.query(`DROP TABLE "contacts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_81c604675fce5de624bd43eb1c"`);
    await queryRunner.query(`DROP TABLE "constituency_asns"`);
    await queryRunner.query(`DROP TABLE "constituency_cidrs"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a1aec284958fe96c84e7df70d8"`);
    await queryRunner.query(`DROP TABLE "constituency_domains"`);
    await queryRunner.query(`DROP TABLE "member_states"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_b9b558ffae75785260f2fe816a"`);
    await queryRunner.query(`DROP TABLE "comments"`);
    await queryRunner.query(`DROP TABLE "timeline_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e5fc0731b6752a8e9194fa265e"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP TABLE "reference_counters"`);
    await queryRunner.query(`DROP INDEX "public"."incident_observables_value_idx"`);
    await queryRunner.query(`DROP TABLE "incident_observables"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_49bfc3a9a6ff6c1eb45a86cf26"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7c1535ac82eb2552e0000721e7"`);
    await queryRunner.query(`DROP TABLE "incidents"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_281532d496a1b2fdbfea5f7261"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_07fefa57f7f5ab8fc3f52b3ed0"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_57384430aa1959f4578046c9b8"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
