import { Batcher } from './batcher.js';

/** A write that waits until released, recording the batches it was given. */
function gatedWrite(fail?: (item: number) => boolean) {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const write = async (items: number[]) => {
    batches.push(items);
    await gate;
    if (fail && items.some(fail)) throw new Error(`refused ${items.filter(fail).join()}`);
    return items.map((i) => i * 10);
  };
  const open = () => {
    release();
    gate = Promise.resolve();
  };
  return { batches, write, open };
}

describe('Batcher', () => {
  it('sends a lone call at once and groups the calls that arrive while it is in flight', async () => {
    const { batches, write, open } = gatedWrite();
    const batcher = new Batcher(write, { maxBatch: 3, maxInFlight: 1 });
    const results = [1, 2, 3, 4, 5].map((i) => batcher.run(i));
    expect(batches).toEqual([[1]]);
    open();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('retries each call of a failed batch alone, so only the failing one fails', async () => {
    const { batches, write, open } = gatedWrite((i) => i === 3);
    const batcher = new Batcher(write, { maxBatch: 8, maxInFlight: 1 });
    const results = [1, 2, 3, 4].map((i) => batcher.run(i).catch((e: Error) => e.message));
    open();
    expect(await Promise.all(results)).toEqual([10, 20, 'refused 3', 40]);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });
});
