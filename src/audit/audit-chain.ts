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
  const canonical = canonicalJson({
    seq: String(e.seq),
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    change: e.change,
  });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}
