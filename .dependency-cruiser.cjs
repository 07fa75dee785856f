// The module map, checked by `npm run check` (dependency-cruiser).
//
// Folders under src/ form one stack, lowest first. A folder may import the folders listed
// before it and never one listed after it, so the graph of folders has no cycle and a
// backward import fails CI. A new folder must be placed in the stack before it can be used.
// The entrypoints (src/main.ts, worker.ts, http.ts, app.module.ts) compose everything; no
// folder imports them.
const LAYERS = [
  // infrastructure
  'types', // declarations for untyped packages
  'vocabulary', // statuses, severities, TLP, sectors, RSIT, member states, their en/ru names, SLA maths: imports nothing
  'i18n', // message catalogues (en, ru), labels, Accept-Language negotiation
  'config', // env schema, validated once into one typed object
  'common', // problem+json, auth guard, principal, validation, SQL helpers, logging
  'database', // data source (finds *.entity.js by name), migrations
  'redis', // the Redis client, rate-limit storage
  'sessions', // who is calling: the one guard for API keys and people's sessions
  'metrics', // the Prometheus registry and its endpoints
  'queues', // contracts: queue and job names, payload union, option presets
  'background', // background loops (start, stop, lease, backoff), queue drain
  'operations', // queue dashboard and queue-depth gauge
  'secrets', // SecretBox: stored secrets sealed with CCC_DATA_KEY
  // features, each above what it calls
  'taxonomy', // the shared vocabulary with English and Russian names (GET /taxonomy)
  'audit',
  'timeline',
  'dispatches', // the dispatch lifecycle (one owner of the dispatches table)
  'routing',
  'member-states',
  'api-keys',
  'users', // people's accounts, activation, passwords, second factor
  'auth', // sign-in, sign-out, enrolment, single sign-on
  'notifications',
  'escalation',
  'incidents',
  'attachments', // evidence files of incidents
  'interchange', // STIX 2.1, TAXII 2.1, MISP: the incident mapping, exports, TAXII server, feeds
  'imports', // STIX, MISP and TAXII add-objects imports: mappings, import jobs, status (one owner of imports tables)
  'reports',
  'stats', // dashboard figures
  'events', // live events (server-sent)
  'health',
  'console', // serves the browser console's built files at /console/
];

const alternation = (names) => `(${names.join('|')})`;

const layerRules = LAYERS.slice(0, -1).map((folder, i) => ({
  name: `${folder}-not-upward`,
  comment: `src/${folder}/ imports only folders listed before it in LAYERS (.dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path: `^src/${folder}/` },
  to: { path: `^src/${alternation(LAYERS.slice(i + 1))}/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'folder-not-in-module-map',
      comment: 'every folder under src/ has its place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: `^src/${alternation(LAYERS)}/` },
      to: {},
    },
    {
      name: 'import-of-unmapped-folder',
      comment: 'every folder under src/ has its place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: {},
      to: { path: '^src/[^/]+/', pathNot: `^src/${alternation(LAYERS)}/` },
    },
    {
      name: 'no-import-of-entrypoints',
      comment: 'main.ts, worker.ts, http.ts and app.module.ts sit on top; nothing imports them',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle between files',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-test',
      comment: 'the service never imports test support (unit specs may read its fixtures)',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'the service needs only its dependencies; devDependencies are for specs and tools',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
