// pgbench at the benchmarks' concurrency: the database's ceiling for a write, measured in the
// same run as the service so that ratios compare like with like.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Runs `script` (one transaction per run) with `clients` connections for `seconds`. */
export function pgbench(databaseUrl, script, { clients, seconds }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ccc-pgbench-'));
  const file = path.join(dir, 'script.sql');
  writeFileSync(file, script);
  const run = spawnSync(
    'pgbench',
    ['-n', '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', file, databaseUrl],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
  const tps = /tps = ([\d.]+)/.exec(run.stdout);
  const latency = /latency average = ([\d.]+) ms/.exec(run.stdout);
  return { tps: Number(tps[1]), latencyMs: Number(latency?.[1] ?? NaN) };
}

/**
 * The durable writes of one notified filing (an incident, its dispatch, an outbox row) into
 * plain tables: primary keys only, no triggers, no other index. What the disk and the
 * database can commit at all, whatever the project's schema does.
 */
export const PLAIN_TABLES_SQL = `
CREATE TABLE plain_incidents (id uuid PRIMARY KEY, title text, body jsonb, created_at timestamptz DEFAULT now());
CREATE TABLE plain_dispatches (id bigserial PRIMARY KEY, incident_id uuid, state text, status text, deadline timestamptz);
CREATE TABLE plain_outbox (seq bigserial PRIMARY KEY, incident_id uuid, party text, payload jsonb);
`;

export const PLAIN_WRITE_SCRIPT = `
BEGIN;
WITH i AS (
  INSERT INTO plain_incidents (id, title, body)
  VALUES (gen_random_uuid(), 'Phishing campaign wave', '{"category":"fraud/phishing","observables":[{"type":"domain","value":"login.gov-portal.example"}]}')
  RETURNING id
), d AS (
  INSERT INTO plain_dispatches (incident_id, state, status, deadline)
  SELECT i.id, 'KZ', 'pending', now() + interval '1 hour' FROM i
)
INSERT INTO plain_outbox (incident_id, party, payload)
SELECT i.id, 'KZ', '{"type":"incident.routed"}' FROM i;
COMMIT;
`;

/** The plain-table ceiling in a database of its own (created and dropped here). */
export async function plainCeiling(adminUrl, name, options) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  try {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(PLAIN_TABLES_SQL);
    await db.end();
    return pgbench(url, PLAIN_WRITE_SCRIPT, options);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
