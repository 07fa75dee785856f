// Routing benchmark: 500 mixed observables matched against 10,000 CIDRs and 10,000 domains.
//
//   npm run build && node bench/routing.bench.js
//
// Uses the built service (dist/, or BENCH_DIST) on a scratch database it creates, migrates
// and drops. Prints one JSON line per figure, then a human summary. Times are never
// asserted; the ratios compare against baselines measured in the same run. Exits 1 if the
// indexed matcher disagrees with a naive scan over every rule.
import ipaddr from 'ipaddr.js';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { databaseUrl, dropDatabase, figure, ROOT, scratchName, summarize } from './lib/common.js';

const DIST = path.resolve(process.env.BENCH_DIST ?? path.join(ROOT, 'dist'));
const STATES = ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'];
const N_CIDRS = 10_000;
const N_DOMAINS = 10_000;
const N_ASNS = 600;
const N_OBSERVABLES = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const BENCH = 'routing';

const { prepareDatabase } = await import(path.join(DIST, 'database/prepare-database.js'));
const { dataSourceOptions } = await import(path.join(DIST, 'database/data-source.js'));
const { RoutingService } = await import(path.join(DIST, 'routing/routing.service.js'));
const { ConstituencyIndex } = await import(path.join(DIST, 'routing/constituency-index.js'));
const { constituencyKeys } = await import(path.join(DIST, 'routing/constituency-keys.js'));

/**
 * The reference matcher in SQL: one indexed query (btree for domains and ASNs, GiST
 * `inet_ops` for containment). The in-memory index intake uses is checked against it.
 */
async function sqlMatch(manager, observables) {
  const keys = constituencyKeys(observables);
  if (keys.domains.length + keys.ips.length + keys.asns.length === 0) return new Set();
  const rows = await manager.query(
    `SELECT state_code FROM constituency_domains WHERE domain = ANY($1::text[])
     UNION
     SELECT c.state_code FROM unnest($2::inet[]) AS ip JOIN constituency_cidrs c ON c.cidr >>= ip
     UNION
     SELECT state_code FROM constituency_asns WHERE asn = ANY($3::bigint[])`,
    [keys.domains, keys.ips, keys.asns],
  );
  return new Set(rows.map((r) => r.state_code));
}

// Deterministic data: the same rules and observables on every run.
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20260101);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const word = () =>
  Array.from({ length: 4 + int(6) }, () => 'abcdefghijklmnopqrstuvwxyz'[int(26)]).join('');

function networkText(bytes, prefix) {
  const out = [...bytes];
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] &= (0xff << (8 - keep)) & 0xff;
  }
  return `${ipaddr.fromByteArray(out).toString()}/${prefix}`;
}

function makeRules() {
  const cidrs = new Map(); // text -> state
  while (cidrs.size < N_CIDRS) {
    const v6 = rand() < 0.15;
    const bytes = v6
      ? [0x20, 0x01, 0x0d, 0xb8, ...Array.from({ length: 12 }, () => int(256))]
      : [1 + int(222), int(256), int(256), int(256)];
    const prefix = v6 ? 32 + int(33) : 16 + int(13);
    cidrs.set(networkText(bytes, prefix), STATES[cidrs.size % STATES.length]);
  }
  const tlds = ['com', 'net', 'org', 'info', 'io', 'gov.by', 'gov.kz', 'edu.ru', 'example'];
  const domains = new Map();
  while (domains.size < N_DOMAINS) {
    const name =
      rand() < 0.3 ? `${word()}.${word()}.${pick(tlds)}` : `${word()}${int(100)}.${pick(tlds)}`;
    domains.set(name, STATES[domains.size % STATES.length]);
  }
  const asns = new Map();
  while (asns.size < N_ASNS) asns.set(String(1 + int(400_000)), STATES[asns.size % STATES.length]);
  return { cidrs, domains, asns };
}

function randomInside(cidr) {
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  const bytes = addr.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    if (rand() < 0.5) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function makeObservables(rules) {
  const cidrList = [...rules.cidrs.keys()];
  const v4 = cidrList.filter((c) => !c.includes(':'));
  const v6 = cidrList.filter((c) => c.includes(':'));
  const domainList = [...rules.domains.keys()];
  const host = () =>
    rand() < 0.7
      ? `${rand() < 0.5 ? `${word()}.` : ''}${pick(domainList)}`
      : `${word()}.${pick(['com', 'ru', 'by', 'xyz'])}`;
  const out = [];
  while (out.length < N_OBSERVABLES) {
    const r = rand();
    if (r < 0.35)
      out.push({
        type: 'ipv4',
        value:
          rand() < 0.66
            ? randomInside(pick(v4))
            : `${1 + int(222)}.${int(256)}.${int(256)}.${int(256)}`,
      });
    else if (r < 0.45)
      out.push({
        type: 'ipv6',
        value: rand() < 0.5 ? randomInside(pick(v6)) : `2001:db9::${int(65535).toString(16)}`,
      });
    else if (r < 0.7) out.push({ type: 'domain', value: host() });
    else if (r < 0.8)
      out.push({
        type: 'url',
        value: `https://${rand() < 0.8 ? host() : randomInside(pick(v4))}/${word()}?q=${word()}`,
      });
    else if (r < 0.9) out.push({ type: 'email', value: `${word()}@${host()}` });
    else if (r < 0.95)
      out.push({
        type: 'asn',
        value: rand() < 0.5 ? pick([...rules.asns.keys()]) : String(400_001 + int(1000)),
      });
    else
      out.push({
        type: 'sha256',
        value: Array.from({ length: 64 }, () => '0123456789abcdef'[int(16)]).join(''),
      });
  }
  return out;
}

/** The baseline: every observable against every rule, no index. */
function naiveMatcher(rules) {
  const domains = rules.domains.map((r) => ({ ...r, dotted: `.${r.domain}` }));
  const cidrs = rules.cidrs.map((r) => ({ ...r, range: ipaddr.parseCIDR(r.cidr) }));
  return (observables) => {
    const keys = constituencyKeys(observables);
    const hosts = keys.domains; // every suffix; the longest is the host itself
    const matched = new Set();
    for (const host of hosts) {
      for (const r of domains)
        if (host === r.domain || host.endsWith(r.dotted)) matched.add(r.state);
    }
    for (const text of keys.ips) {
      const ip = ipaddr.parse(text);
      for (const r of cidrs)
        if (r.range[0].kind() === ip.kind() && ip.match(r.range)) matched.add(r.state);
    }
    for (const asn of keys.asns)
      for (const r of rules.asns) if (r.asn === asn) matched.add(r.state);
    return matched;
  };
}

async function time(rounds, fn) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));

const name = scratchName('routing');
const url = databaseUrl(name);
let dataSource;
try {
  await prepareDatabase(url);
  dataSource = new DataSource({ ...dataSourceOptions(url, 4), logging: false });
  await dataSource.initialize();
  const manager = dataSource.manager;

  const rules = makeRules();
  const load = async (table, column, cast, map) => {
    const entries = [...map.entries()];
    await manager.query(
      `INSERT INTO ${table} (state_code, ${column}) SELECT * FROM unnest($1::text[], $2::${cast}[]) ON CONFLICT DO NOTHING`,
      [entries.map((e) => e[1]), entries.map((e) => e[0])],
    );
  };
  await load('constituency_cidrs', 'cidr', 'cidr', rules.cidrs);
  await load('constituency_domains', 'domain', 'text', rules.domains);
  await load('constituency_asns', 'asn', 'bigint', rules.asns);
  await manager.query('ANALYZE constituency_cidrs, constituency_domains, constituency_asns');

  // The naive matcher reads back every rule (seeded country-code domains included).
  const all = {
    domains: await manager.query('SELECT state_code AS state, domain FROM constituency_domains'),
    cidrs: await manager.query(
      'SELECT state_code AS state, cidr::text AS cidr FROM constituency_cidrs',
    ),
    asns: await manager.query(
      'SELECT state_code AS state, asn::text AS asn FROM constituency_asns',
    ),
  };
  const naive = naiveMatcher(all);
  const routing = new RoutingService(dataSource);
  // The in-memory index RoutingService.decide uses, over the same rows.
  const index = new ConstituencyIndex({
    domains: all.domains.map((r) => [r.state, r.domain]),
    cidrs: all.cidrs.map((r) => [r.state, r.cidr]),
    asns: all.asns.map((r) => [r.state, r.asn]),
  });
  const inMemoryMatch = (group) => index.match(constituencyKeys(group));
  const observables = makeObservables(rules);
  const incidents = Array.from({ length: 50 }, (_, i) => observables.slice(i * 10, i * 10 + 10));
  const counts = { cidrs: all.cidrs.length, domains: all.domains.length, asns: all.asns.length };
  figure(BENCH, 'rules', counts.cidrs + counts.domains + counts.asns, 'rows', counts);

  // Correctness: every observable alone, every 10-observable incident, and the whole 500.
  let mismatches = 0;
  let matchedObservables = 0;
  // Both matchers: the SQL one and the in-memory index intake uses (RoutingService.decide).
  for (const o of observables) {
    const got = await sqlMatch(manager, [o]);
    const inMemory = inMemoryMatch([o]);
    const want = naive([o]);
    if (want.size > 0) matchedObservables++;
    if (!sameSet(got, want) || !sameSet(inMemory, want)) {
      mismatches++;
      console.error(
        `mismatch for ${o.type} ${o.value}: SQL ${[...got]} in memory ${[...inMemory]} naive ${[...want]}`,
      );
    }
  }
  for (const group of [...incidents, observables]) {
    const want = naive(group);
    if (!sameSet(await sqlMatch(manager, group), want)) mismatches++;
    if (!sameSet(inMemoryMatch(group), want)) mismatches++;
  }
  figure(BENCH, 'correctness_mismatches', mismatches, 'count', {
    checked: observables.length + incidents.length + 1,
    observablesMatchingSomeState: matchedObservables,
  });

  // The plan must use the indexes (GiST for containment, btree for equality).
  const keys = constituencyKeys(observables);
  const [plan] = await manager.query(
    `EXPLAIN (FORMAT JSON)
     SELECT state_code FROM constituency_domains WHERE domain = ANY($1::text[])
     UNION SELECT c.state_code FROM unnest($2::inet[]) AS ip JOIN constituency_cidrs c ON c.cidr >>= ip
     UNION SELECT state_code FROM constituency_asns WHERE asn = ANY($3::bigint[])`,
    [keys.domains, keys.ips, keys.asns],
  );
  const planText = JSON.stringify(plan);
  if (process.env.BENCH_EXPLAIN) {
    const analyzed = await manager.query(
      `EXPLAIN (ANALYZE, BUFFERS)
       SELECT state_code FROM constituency_domains WHERE domain = ANY($1::text[])
       UNION SELECT c.state_code FROM unnest($2::inet[]) AS ip JOIN constituency_cidrs c ON c.cidr >>= ip
       UNION SELECT state_code FROM constituency_asns WHERE asn = ANY($3::bigint[])`,
      [keys.domains, keys.ips, keys.asns],
    );
    console.error(analyzed.map((r) => r['QUERY PLAN']).join('\n'));
  }
  const usesGist = planText.includes('constituency_cidrs_cidr_gist');
  const seqScans = (planText.match(/"Seq Scan"/g) ?? []).length;
  figure(BENCH, 'plan_uses_gist', usesGist ? 1 : 0, 'bool', { seqScans });

  // Warm up, then measure.
  for (let i = 0; i < 20; i++) await sqlMatch(manager, observables);
  // What intake runs: the decision from the rules in memory (loaded once, version-checked).
  const route500 = await time(ROUNDS, () =>
    routing.decide({
      reportingState: 'AM',
      affectedStates: ['BY'],
      tlp: 'TLP:AMBER',
      observables,
    }),
  );
  const route10 = await time(ROUNDS * 5, (i) =>
    routing.decide({
      reportingState: 'AM',
      affectedStates: [],
      tlp: 'TLP:RED',
      observables: incidents[i % incidents.length],
    }),
  );
  // Where the time of one 500-observable call goes: key extraction in JS, then the query.
  const keys500 = await time(ROUNDS, () => constituencyKeys(observables));
  const sqlOnly500 = await time(ROUNDS, () =>
    manager.query(
      `SELECT state_code FROM constituency_domains WHERE domain = ANY($1::text[])
       UNION SELECT c.state_code FROM unnest($2::inet[]) AS ip JOIN constituency_cidrs c ON c.cidr >>= ip
       UNION SELECT state_code FROM constituency_asns WHERE asn = ANY($3::bigint[])`,
      [keys.domains, keys.ips, keys.asns],
    ),
  );
  const trivial = await time(ROUNDS, () =>
    manager.query("SELECT state_code FROM constituency_domains WHERE domain = 'by'"),
  );
  const naiveRounds = Math.max(3, Math.round(ROUNDS / 40));
  const naive500 = await time(naiveRounds, () => naive(observables));
  const seqScan500 = await time(naiveRounds, () =>
    dataSource.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_indexscan = off');
      await tx.query('SET LOCAL enable_bitmapscan = off');
      await tx.query('SET LOCAL enable_indexonlyscan = off');
      await sqlMatch(tx, observables);
    }),
  );

  const emit = (label, s, extra = {}) => {
    figure(BENCH, `${label}_p50`, s.p50, 'ms', { n: s.n, ...extra });
    figure(BENCH, `${label}_p99`, s.p99, 'ms', { n: s.n, ...extra });
  };
  emit('route_500_observables', route500);
  emit('route_10_observables', route10);
  emit('keys_500_observables', keys500);
  emit('sql_only_500_observables', sqlOnly500);
  emit('trivial_indexed_query', trivial);
  emit('naive_js_scan_500_observables', naive500);
  emit('sql_without_indexes_500_observables', seqScan500);
  figure(BENCH, 'speedup_vs_naive_js_p50', naive500.p50 / route500.p50, 'x');
  figure(BENCH, 'speedup_vs_sql_seq_scan_p50', seqScan500.p50 / route500.p50, 'x');
  figure(BENCH, 'route_500_vs_trivial_query_p50', route500.p50 / trivial.p50, 'x');

  const f = (v) => v.toFixed(2);
  console.log(
    `routing: ${counts.cidrs} CIDRs, ${counts.domains} domains, ${counts.asns} ASNs; ` +
      `500 observables per call: p50 ${f(route500.p50)} ms, p99 ${f(route500.p99)} ms ` +
      `(naive JS scan p50 ${f(naive500.p50)} ms = ${f(naive500.p50 / route500.p50)}x slower; ` +
      `SQL without indexes p50 ${f(seqScan500.p50)} ms = ${f(seqScan500.p50 / route500.p50)}x slower); ` +
      `10 observables: p50 ${f(route10.p50)} ms, p99 ${f(route10.p99)} ms; ` +
      `trivial indexed query p50 ${f(trivial.p50)} ms; ` +
      `GiST used: ${usesGist}; mismatches vs naive: ${mismatches}`,
  );
  process.exitCode = mismatches === 0 ? 0 : 1;
} finally {
  await dataSource?.destroy();
  // BENCH_KEEP=1 leaves the scratch database for EXPLAIN sessions (drop it yourself).
  if (process.env.BENCH_KEEP) console.error(`kept database ${name}`);
  else await dropDatabase(name);
}
