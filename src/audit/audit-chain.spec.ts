import { ChainVerifier, entryHash, GENESIS_HASH, StoredEntry } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';

function chain(n: number): StoredEntry[] {
  const out: StoredEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields = {
      seq: String(i),
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actor: 'admin:CCC:root',
      action: 'api-key.created',
      targetType: 'api-key',
      targetId: `k${i}`,
      change: canonicalJson({ role: 'analyst', name: `key ${i}`, state: 'BY' }),
    };
    const hash = entryHash(prev, fields);
    out.push({ ...fields, id: `id-${i}`, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

function verify(entries: StoredEntry[]) {
  const v = new ChainVerifier();
  entries.forEach((e) => v.check(e));
  return v;
}

describe('audit chain', () => {
  it('hashes the canonical entry after the previous hash, deterministically', () => {
    const [first] = chain(1);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash(GENESIS_HASH, { ...first, at: first.at.toString() })).toBe(first.hash);
    expect(entryHash('f'.repeat(64), first)).not.toBe(first.hash);
    expect(entryHash(GENESIS_HASH, { ...first, seq: 2 })).not.toBe(first.hash);
  });

  it('sorts keys at every depth in the canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('accepts an intact chain and counts it', () => {
    const v = verify(chain(5));
    expect(v.firstInvalid).toBeNull();
    expect(v.count).toBe(5);
  });

  it('finds an edited change at exactly that entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2], change: canonicalJson({ role: 'admin' }) };
    const v = verify(entries);
    expect(v.firstInvalid).toMatchObject({ seq: '3', id: 'id-3' });
    expect(v.firstInvalid!.reason).toContain('hash');
    expect(v.count).toBe(5);
  });

  it('finds a re-hashed entry by the broken link to its successor', () => {
    const entries = chain(4);
    const forged = { ...entries[1], actor: 'someone-else' };
    forged.hash = entryHash(forged.prevHash, forged);
    entries[1] = forged;
    expect(verify(entries).firstInvalid).toMatchObject({
      seq: '3',
      reason: expect.stringContaining('prev_hash'),
    });
  });

  it('finds a deleted entry', () => {
    const entries = chain(4);
    entries.splice(1, 1);
    expect(verify(entries).firstInvalid).toMatchObject({
      seq: '3',
      reason: expect.stringContaining('missing'),
    });
  });
});
