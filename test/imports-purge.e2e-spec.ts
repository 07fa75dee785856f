import { randomUUID } from 'node:crypto';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { loopRuns, waitFor } from './support/wait-for.js';

type Obj = Record<string, any>;

const TLP2_GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const TAXII = 'application/taxii+json;version=2.1';
const RETENTION_HOURS = 48;

/** A bundle with one incident and an indicator: one item. */
function bundle(n: number): Obj {
  const stamp = '2026-01-01T00:00:00.000Z';
  const indicator = {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: stamp,
    modified: stamp,
    pattern: `[ipv4-addr:value = '198.51.100.${n}']`,
    pattern_type: 'stix',
    valid_from: stamp,
    object_marking_refs: [TLP2_GREEN],
  };
  return {
    type: 'bundle',
    id: `bundle--${randomUUID()}`,
    objects: [
      {
        type: 'report',
        spec_version: '2.1',
        id: `report--${randomUUID()}`,
        created: stamp,
        modified: stamp,
        published: stamp,
        name: `Purge ${n}`,
        object_refs: [indicator.id],
        object_marking_refs: [TLP2_GREEN],
      },
      indicator,
    ],
  };
}

/**
 * Import statuses are purged (src/imports/imports.purge.ts): a finished import and its items
 * go CCC_IMPORT_RETENTION_HOURS after it finished; a recent one and a pending one stay.
 */
describe('Purge of import statuses', () => {
  let env: TestEnv;
  let service: Service;
  let by: Api;

  beforeAll(async () => {
    env = await createTestEnv('imports-purge');
    service = await startService(env, {
      env: { CCC_IMPORT_RETENTION_HOURS: `${RETENTION_HOURS}` },
    });
    by = new Api(service.url).as(await new Api(service.url).createKey('analyst', 'BY'));
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  async function finishedImport(n: number): Promise<string> {
    const res = await by.post('/api/v1/imports/stix', bundle(n));
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await waitFor(async () => (await by.get(`/api/v1/imports/${id}`)).body.status === 'complete', {
      what: `import ${id} complete`,
    });
    return id;
  }

  const items = async (id: string) =>
    (await env.db.query(`SELECT count(*)::int AS n FROM import_items WHERE import_id = $1`, [id]))
      .rows[0].n as number;

  it('removes a finished import older than the retention with its items; keeps a recent and a pending one', async () => {
    const old = await finishedImport(1);
    const recent = await finishedImport(2);
    expect(await items(old)).toBe(1);
    expect(await items(recent)).toBe(1);
    // Finished just past the retention, and just within it.
    const age = (id: string, hours: number) =>
      env.db.query(
        `UPDATE imports SET created_at = now() - make_interval(hours => $2 + 1),
                            completed_at = now() - make_interval(hours => $2) WHERE id = $1`,
        [id, hours],
      );
    await age(old, RETENTION_HOURS + 1);
    await age(recent, RETENTION_HOURS - 1);
    // The purge runs at start, then every minute: a restart runs it now.
    await service.stop();
    // Pending for a month (its job lost, say): never purged, however old. Inserted while
    // the service is down, so the purge at start sees it pending (the reconciler's first
    // run, which re-drives it, comes 2 s later).
    const pending = randomUUID();
    await env.db.query(
      `INSERT INTO imports (id, format, status, reporting_state, importer, defaults, payload, created_at)
       SELECT $1, 'stix', 'pending', 'BY', importer, defaults, $2, now() - interval '30 days'
       FROM imports WHERE id = $3`,
      [pending, JSON.stringify(bundle(3)), recent],
    );

    service = await startService(env, {
      env: { CCC_IMPORT_RETENTION_HOURS: `${RETENTION_HOURS}` },
    });
    by = new Api(service.url, by.key);
    await waitFor(async () => (await loopRuns([service.url], 'ImportsPurge')) >= 1, {
      what: 'a run of ImportsPurge',
    });

    const gone = await by.get(`/api/v1/imports/${old}`);
    expect(gone.status).toBe(404);
    const taxiiGone = await by.get(`/taxii2/ccc/status/${old}/`, { accept: TAXII });
    expect(taxiiGone.status).toBe(404);
    expect(await items(old)).toBe(0);

    const kept = await by.get(`/api/v1/imports/${recent}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ status: 'complete', imported: 1 });
    expect(await items(recent)).toBe(1);
    expect((await by.get(`/api/v1/imports/${pending}`)).status).toBe(200);
  });
});
