import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { entryHash, GENESIS_HASH } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';

export interface AuditRecord {
  actor: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  change: unknown;
}

// Serialises appends across every instance so the chain never forks.
const AUDIT_LOCK = 727_274_002;

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends inside the caller's transaction, so the entry commits with the change it
   * records. Call it last in the transaction: the lock is held until commit.
   */
  async append(manager: EntityManager, record: AuditRecord): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const [last]: { seq: string; hash: string }[] = await manager.query(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    const prevHash = last?.hash ?? GENESIS_HASH;
    const seq = String(BigInt(last?.seq ?? '0') + 1n);
    const at = new Date();
    const fields = {
      seq,
      at,
      actor: record.actor,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId ?? null,
      change: canonicalJson(record.change ?? {}),
    };
    await manager.query(
      `INSERT INTO audit_log (seq, at, actor, action, target_type, target_id, change, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        seq,
        at,
        fields.actor,
        fields.action,
        fields.targetType,
        fields.targetId,
        fields.change,
        prevHash,
        entryHash(prevHash, fields),
      ],
    );
  }

  /** Appends in a transaction of its own (for changes made outside one). */
  async appendNow(record: AuditRecord): Promise<void> {
    await this.dataSource.transaction((manager) => this.append(manager, record));
  }
}
