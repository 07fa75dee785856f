import type { DataSource, EntityManager } from 'typeorm';
import { allQueries } from './sql.js';

/** Queries that record how many of them run at once, each resolving on the next turn. */
function tracked() {
  let running = 0;
  let most = 0;
  const query = (value: string) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setImmediate(r));
    running--;
    return value;
  };
  return { query, most: () => most };
}

describe('allQueries', () => {
  it("runs a transaction manager's queries one after the other (one connection)", async () => {
    const t = tracked();
    const manager = { queryRunner: {} } as unknown as EntityManager;
    const results = await allQueries(manager, [t.query('a'), t.query('b'), t.query('c')]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(t.most()).toBe(1);
  });

  it("runs a data source's (or a pool-bound manager's) side by side", async () => {
    const t = tracked();
    const dataSource = {} as unknown as DataSource;
    expect(await allQueries(dataSource, [t.query('a'), t.query('b')])).toEqual(['a', 'b']);
    expect(t.most()).toBe(2);
    const t2 = tracked();
    const poolManager = { queryRunner: undefined } as unknown as EntityManager;
    await allQueries(poolManager, [t2.query('a'), t2.query('b')]);
    expect(t2.most()).toBe(2);
  });
});
