// 1,000,000 incidents for the benchmarks that read at scale (queue pages, the console).
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { figure } from './common.js';

const TABLES = ['incidents', 'dispatches', 'incident_observables'];

/**
 * Deterministic rows: h(n, seed) is a stable pseudo-random number in [0, 1000).
 * Ids are uuids derived from n so dispatches and observables can refer to them.
 */
const LOAD = [
  `CREATE FUNCTION pg_temp.h(n bigint, seed bigint) RETURNS int LANGUAGE sql IMMUTABLE
     AS $$ SELECT (abs(hashint8extended(n, seed)) % 1000)::int $$`,
  // A valid version-4 uuid (version and variant bits set) derived from n.
  `CREATE FUNCTION pg_temp.uid(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE
     AS $$ SELECT (substr(m, 1, 12) || '4' || substr(m, 14, 3) || '8' || substr(m, 18))::uuid
           FROM md5('incident' || n) AS m $$`,
  `INSERT INTO incidents (id, reference, title, description, category, severity, tlp, sector,
     reporting_state, affected_states, status, assignee, created_at, updated_at, resolved_at,
     resolution_summary)
   SELECT pg_temp.uid(n),
     'CCC-' || (2021 + (n - 1) / 200000) || '-' || lpad(((n - 1) % 200000 + 1)::text, 6, '0'),
     (ARRAY['Phishing wave against', 'Scanning of', 'Defacement of', 'DDoS on',
            'Malware beacon from', 'Credential leak at'])[1 + pg_temp.h(n, 1) % 6]
       || ' ' || (ARRAY['bank', 'ministry', 'utility', 'telecom', 'hospital', 'airport'])[1 + pg_temp.h(n, 2) % 6]
       || ' w' || pg_temp.h(n, 3),
     CASE WHEN pg_temp.h(n, 4) < 200 THEN 'ransomware note found on file server ' ELSE '' END
       || 'Observed by sensor s' || pg_temp.h(n, 5) || ' during routine monitoring',
     (ARRAY['fraud/phishing', 'information-gathering/scanner', 'availability/ddos',
            'malicious-code/infected-system', 'intrusions/application-compromise'])[1 + pg_temp.h(n, 6) % 5],
     CASE WHEN pg_temp.h(n, 7) < 50 THEN 'critical' WHEN pg_temp.h(n, 7) < 250 THEN 'high'
          WHEN pg_temp.h(n, 7) < 600 THEN 'medium' ELSE 'low' END,
     CASE WHEN pg_temp.h(n, 8) < 50 THEN 'TLP:RED' WHEN pg_temp.h(n, 8) < 100 THEN 'TLP:AMBER+STRICT'
          WHEN pg_temp.h(n, 8) < 500 THEN 'TLP:AMBER' WHEN pg_temp.h(n, 8) < 900 THEN 'TLP:GREEN'
          ELSE 'TLP:CLEAR' END,
     (ARRAY['energy', 'finance', 'government', 'defence', 'telecom', 'transport', 'health',
            'water', 'education', 'other'])[1 + pg_temp.h(n, 9) % 10],
     (ARRAY['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'])[1 + n % 6],
     '{}',
     CASE WHEN pg_temp.h(n, 10) < 700 THEN 'closed' WHEN pg_temp.h(n, 10) < 780 THEN 'resolved'
          WHEN pg_temp.h(n, 10) < 840 THEN 'in_progress' WHEN pg_temp.h(n, 10) < 890 THEN 'triaged'
          WHEN pg_temp.h(n, 10) < 970 THEN 'new' WHEN pg_temp.h(n, 10) < 990 THEN 'rejected'
          ELSE 'duplicate' END,
     CASE WHEN pg_temp.h(n, 11) < 400 THEN NULL ELSE 'officer-' || pg_temp.h(n, 11) % 40 END,
     now() - (($1::bigint - n) * interval '150 seconds'),
     now() - (($1::bigint - n) * interval '150 seconds'),
     NULL, NULL
   FROM generate_series(1, $1::bigint) AS n`,
  // 0-3 dispatches per incident, to states other than the reporting one; an unacknowledged
  // one of an incident still open (new, triaged, in progress) has a deadline 4 h after filing.
  `INSERT INTO dispatches (incident_id, state, status, escalation_level, created_at, acknowledged_at,
     ack_deadline)
   SELECT pg_temp.uid(n), (ARRAY['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'])[1 + (n + k) % 6],
     CASE WHEN pg_temp.h(n, 12 + k) < 600 THEN 'acknowledged' ELSE 'notified' END,
     0, now() - (($1::bigint - n) * interval '150 seconds'),
     CASE WHEN pg_temp.h(n, 12 + k) < 600 THEN now() - (($1::bigint - n) * interval '150 seconds') END,
     CASE WHEN pg_temp.h(n, 12 + k) >= 600 AND pg_temp.h(n, 10) BETWEEN 780 AND 969
          THEN now() - (($1::bigint - n) * interval '150 seconds') + interval '4 hours' END
   FROM generate_series(1, $1::bigint) AS n, generate_series(1, 3) AS k
   WHERE k <= pg_temp.h(n, 12) % 4`,
  // 1-3 observables per incident from pools small enough to be shared.
  `INSERT INTO incident_observables (incident_id, position, type, value)
   SELECT pg_temp.uid(n), k,
     CASE WHEN k = 2 THEN 'domain' ELSE 'ipv4' END,
     CASE WHEN k = 2 THEN 'host' || (abs(hashint8extended(n, 30)) % 20000) || '.example'
          ELSE '10.' || (abs(hashint8extended(n, 31 + k)) % 200) || '.'
                     || (abs(hashint8extended(n, 40 + k)) % 250) || '.1' END
   FROM generate_series(1, $1::bigint) AS n, generate_series(1, 3) AS k
   WHERE k <= 1 + pg_temp.h(n, 20) % 3`,
];

/**
 * Bulk-loads `n` incidents (with dispatches and observables) into a migrated database:
 * secondary indexes dropped during the load and rebuilt from their own definitions, then
 * VACUUM ANALYZE. Prints the load and index times as figures of `bench`.
 */
export async function loadIncidents(url, n, bench) {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  try {
    await loadWith(db, n, bench);
  } finally {
    await db.end();
  }
}

async function loadWith(db, n, bench) {
  const started = performance.now();
  // The migrations' secondary indexes, rebuilt after the load exactly as they were.
  const { rows: indexes } = await db.query(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [TABLES],
  );
  for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);
  await db.query("SET maintenance_work_mem = '256MB'");
  await db.query("SET synchronous_commit = 'off'");
  // The TAXII bookkeeping runs per incident at commit (1,000,000 deferred calls would take
  // far longer than the load): off for the load, so these incidents have no STIX objects.
  await db.query('ALTER TABLE incidents DISABLE TRIGGER incidents_stix_insert');
  for (const statement of LOAD) {
    await db.query(statement, statement.includes('$1') ? [n] : []);
  }
  await db.query('ALTER TABLE incidents ENABLE TRIGGER incidents_stix_insert');
  const loaded = performance.now();
  for (const { def } of indexes) await db.query(def);
  await db.query(`VACUUM ANALYZE ${TABLES.join(', ')}`);
  const counts = {};
  for (const table of TABLES) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = rows[0].n;
  }
  figure(bench, 'load_seconds', (loaded - started) / 1000, 's', counts);
  figure(bench, 'index_seconds', (performance.now() - loaded) / 1000, 's', {
    indexes: indexes.length,
  });
}
