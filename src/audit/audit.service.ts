import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { auditAppendStatement, AuditRecord } from './audit-append.js';

export type { AuditRecord } from './audit-append.js';

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends inside the caller's transaction, so the entry commits with the change it
   * records. Call it last in the transaction: the chain's head row stays locked until commit.
   */
  async append(manager: EntityManager, record: AuditRecord): Promise<void> {
    const { text, values } = auditAppendStatement(record);
    await manager.query(text, values);
  }

  /** Appends on its own, for events that change nothing else (sign-in, sign-out). */
  async appendNow(record: AuditRecord): Promise<void> {
    const { text, values } = auditAppendStatement(record);
    await this.dataSource.query(text, values); // one statement: atomic on its own
  }
}
