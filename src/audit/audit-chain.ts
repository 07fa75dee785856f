import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainFields {
  seq: string | number;
  at: Date | string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  change: string;
}

/** hash = SHA-256(previous hash ‖ canonical entry); the entry includes its sequence number. */
export function entryHash(prevHash: string, e: ChainFields): string {
  const canonical = entryCanonical({ ...e, seq: String(e.seq), at: new Date(e.at).toISOString() });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

/** The hashed text of an entry, `seq` and `at` as text (`at` as ISO 8601 with milliseconds). */
export function entryCanonical(e: ChainFields & { seq: string; at: string }): string {
  return canonicalJson({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    change: e.change,
  });
}

export interface StoredEntry extends ChainFields {
  id: string;
  prevHash: string;
  hash: string;
}

export interface ChainBreak {
  seq: string;
  id: string;
  reason: string;
}

/**
 * Walks the chain one entry at a time, in seq order, so a caller can stream the table
 * in batches. Returns the first break and nothing after it.
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private prevSeq = 0n;
  firstInvalid: ChainBreak | null = null;
  count = 0;

  check(entry: StoredEntry): void {
    this.count++;
    if (this.firstInvalid) return;
    const seq = BigInt(entry.seq);
    const at = (reason: string) => {
      this.firstInvalid = { seq: String(entry.seq), id: entry.id, reason };
    };
    if (seq !== this.prevSeq + 1n) {
      at(`sequence jumps from ${this.prevSeq} to ${seq}: entries are missing`);
    } else if (entry.prevHash !== this.prevHash) {
      at('prev_hash does not match the hash of the entry before');
    } else if (entryHash(entry.prevHash, entry) !== entry.hash) {
      at('hash does not match the entry: it was changed after it was written');
    }
    this.prevSeq = seq;
    this.prevHash = entry.hash;
  }
}
