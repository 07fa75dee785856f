import { entryHash, GENESIS_HASH } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('entryHash', () => {
  const entry = {
    seq: 1,
    at: '2026-01-01T00:00:00.000Z',
    actor: 'admin:CCC:root',
    action: 'api-key.created',
    targetType: 'api-key',
    targetId: 'x',
    change: '{}',
  };

  it('is deterministic and chains on the previous hash', () => {
    const first = entryHash(GENESIS_HASH, entry);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash(GENESIS_HASH, entry)).toBe(first);
    expect(entryHash(first, entry)).not.toBe(first);
  });

  it('changes when any field changes', () => {
    const base = entryHash(GENESIS_HASH, entry);
    for (const key of Object.keys(entry) as (keyof typeof entry)[]) {
      const altered = {
        ...entry,
        [key]: key === 'seq' ? 2 : key === 'at' ? '2026-01-02T00:00:00Z' : 'other',
      };
      expect(entryHash(GENESIS_HASH, altered)).not.toBe(base);
    }
  });
});
