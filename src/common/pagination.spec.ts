import { decodeCursor, encodeCursor, toPage } from './pagination.js';
import { Problem } from './problem.js';

describe('cursors', () => {
  it('round-trip the sort key', () => {
    const cursor = encodeCursor(['2026-01-01T00:00:00.000Z', 'a-b']);
    expect(decodeCursor(cursor, 2)).toEqual(['2026-01-01T00:00:00.000Z', 'a-b']);
    expect(decodeCursor(undefined, 2)).toBeNull();
  });

  it('refuse tampered or wrong-shaped cursors with a 400 problem', () => {
    expect(() => decodeCursor('not base64 json', 2)).toThrow(Problem);
    expect(() => decodeCursor(encodeCursor([1]), 2)).toThrow(Problem);
  });

  it('toPage keeps `limit` rows and points past the last one', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    const page = toPage(
      rows,
      2,
      (r) => r.n,
      (r) => [r.n],
    );
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor!, 1)).toEqual([2]);
    expect(
      toPage(
        rows,
        3,
        (r) => r.n,
        (r) => [r.n],
      ).nextCursor,
    ).toBeNull();
  });
});
