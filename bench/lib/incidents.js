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
  // 1-3 observables per incident from pools small enough to be shared; never twice the same
  // in one incident (the intake collapses equal ones; TAXII keys an observable's STIX ids by
  // type and value): the two addresses differ in their last byte.
  `INSERT INTO incident_observables (incident_id, position, type, value)
   SELECT pg_temp.uid(n), k,
     CASE WHEN k = 2 THEN 'domain' ELSE 'ipv4' END,
     CASE WHEN k = 2 THEN 'host' || (abs(hashint8extended(n, 30)) % 20000) || '.example'
          ELSE '10.' || (abs(hashint8extended(n, 31 + k)) % 200) || '.'
                     || (abs(hashint8extended(n, 40 + k)) % 250) || '.' || k END
   FROM generate_series(1, $1::bigint) AS n, generate_series(1, 3) AS k
   WHERE k <= 1 + pg_temp.h(n, 20) % 3`,
];

/**
 * The STIX objects of every loaded incident as the trigger `incidents_stix_insert` (function
 * ccc_stix_sync, migration StixObjects) makes them, in one set-based statement instead of
 * one call per incident: per incident its `incident` object (id `incident--<incident id>`,
 * no position, MISP event timestamp the epoch second of `updated_at`), then per observable
 * in position order an `indicator` (`vulnerability` for a CVE) and a `relationship` with
 * fresh random ids; every version the incident's `updated_at`. `date_added` is unique and
 * grows in the order the trigger would have run, oldest incident first (as the migration
 * fills the incidents filed before it), objects of one incident one microsecond apart
 * from the stix_clock on; the clock is then moved to the last value handed out.
 * bench/taxii.bench.js checks it against the trigger's own rows on a small load.
 */
const STIX_FILL = [
  `INSERT INTO stix_objects (object_id, incident_id, kind, position, version, date_added,
     event_timestamp)
   SELECT p.object_id, p.incident_id, p.kind, p.position, p.updated_at,
     c.start + (row_number() OVER (ORDER BY p.created_at, p.incident_id,
                                             p.position NULLS FIRST, p.sub) - 1)
               * interval '1 microsecond',
     CASE WHEN p.kind = 'incident' THEN floor(extract(epoch FROM p.updated_at))::bigint END
   FROM (
     SELECT i.id AS incident_id, 'incident' AS kind, NULL::int AS position,
            'incident--' || i.id AS object_id, 0 AS sub, i.created_at, i.updated_at
     FROM incidents i
     UNION ALL
     SELECT o.incident_id, k.kind, o.position, k.kind || '--' || gen_random_uuid(), k.sub,
            i.created_at, i.updated_at
     FROM incident_observables o
     JOIN incidents i ON i.id = o.incident_id
     CROSS JOIN LATERAL (VALUES
       (CASE WHEN o.type = 'cve' THEN 'vulnerability' ELSE 'indicator' END, 0),
       ('relationship', 1)) AS k(kind, sub)
   ) p,
   (SELECT greatest(clock_timestamp(), last + interval '1 microsecond') AS start
    FROM stix_clock WHERE id = 1) c`,
  `UPDATE stix_clock SET last = greatest(last, (SELECT max(date_added) FROM stix_objects))
   WHERE id = 1`,
];

/**
 * Bulk-loads `n` incidents (with dispatches and observables) into a migrated database:
 * secondary indexes dropped during the load and rebuilt from their own definitions, then
 * VACUUM ANALYZE. Prints the load and index times as figures of `bench`.
 *
 * `stix`: what becomes of the incidents' STIX objects (stix_objects, served by TAXII):
 *  - false (default): none; the per-incident trigger is off during the load (1,000,000
 *    deferred calls would take far longer than the load);
 *  - 'bulk': filled afterwards by STIX_FILL, one statement (figure `stix_seconds`);
 *  - 'trigger': the trigger queues them, the whole load in one transaction so that it runs
 *    at commit with the observables in place (as at intake), and `ccc_stix_index` builds
 *    them as the indexer would: the reference for small loads.
 */
export async function loadIncidents(url, n, bench, { stix = false } = {}) {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  try {
    await loadWith(db, n, bench, stix);
  } finally {
    await db.end();
  }
}

async function loadWith(db, n, bench, stix) {
  const started = performance.now();
  // The trigger reads stix_objects through its indexes: they stay for it.
  const tables = stix === 'bulk' ? [...TABLES, 'stix_objects'] : TABLES;
  // The migrations' secondary indexes, rebuilt after the load exactly as they were.
  const { rows: indexes } = await db.query(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);
  await db.query("SET maintenance_work_mem = '256MB'");
  await db.query("SET work_mem = '256MB'");
  await db.query("SET synchronous_commit = 'off'");
  if (stix === 'trigger') {
    await db.query('BEGIN');
    for (const statement of LOAD) {
      await db.query(statement, statement.includes('$1') ? [n] : []);
    }
    await db.query('COMMIT');
    // The trigger queued them (stix_pending); the indexer's function builds them.
    await db.query('SELECT ccc_stix_index(2147483647)');
  } else {
    await db.query('ALTER TABLE incidents DISABLE TRIGGER incidents_stix_insert');
    for (const statement of LOAD) {
      await db.query(statement, statement.includes('$1') ? [n] : []);
    }
    await db.query('ALTER TABLE incidents ENABLE TRIGGER incidents_stix_insert');
  }
  const loaded = performance.now();
  if (stix === 'bulk') {
    // Its primary key too (random ids): built once after the fill, not grown row by row.
    const { rows: keys } = await db.query(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = 'stix_objects'::regclass AND contype = 'p'`,
    );
    for (const { name } of keys)
      await db.query(`ALTER TABLE stix_objects DROP CONSTRAINT "${name}"`);
    for (const statement of STIX_FILL) await db.query(statement);
    for (const { name, def } of keys) {
      await db.query(`ALTER TABLE stix_objects ADD CONSTRAINT "${name}" ${def}`);
    }
  }
  const filled = performance.now();
  for (const { def } of indexes) await db.query(def);
  await db.query(`VACUUM ANALYZE ${tables.join(', ')}`);
  const counts = {};
  for (const table of stix ? [...TABLES, 'stix_objects'] : TABLES) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = rows[0].n;
  }
  figure(bench, 'load_seconds', (loaded - started) / 1000, 's', counts);
  if (stix === 'bulk') figure(bench, 'stix_seconds', (filled - loaded) / 1000, 's');
  figure(bench, 'index_seconds', (performance.now() - filled) / 1000, 's', {
    indexes: indexes.length,
  });
}
