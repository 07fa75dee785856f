import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { keyset, Page } from '../common/pagination.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { Constituency, normaliseConstituency } from './constituency-rules.js';
import type { ContactView } from './contact-rules.js';
import { ContactsService } from './contacts.service.js';
import { ReplaceConstituencyDto } from './dto/replace-constituency.dto.js';
import { parseStateCode } from './state-code.js';

export interface MemberStateView {
  code: string;
  name: string;
  constituency: Constituency;
  /** Only for coordinators and admins. */
  contacts?: ContactView[];
}

interface StateRow {
  code: string;
  name: string;
  domains: string[];
  cidrs: string[];
  asns: string[];
}

const STATE_SELECT = `
  SELECT m.code, m.name,
    ARRAY(SELECT domain FROM constituency_domains d WHERE d.state_code = m.code ORDER BY domain) AS domains,
    ARRAY(SELECT cidr::text FROM constituency_cidrs c WHERE c.state_code = m.code ORDER BY c.cidr) AS cidrs,
    ARRAY(SELECT asn::text FROM constituency_asns a WHERE a.state_code = m.code ORDER BY a.asn) AS asns
  FROM member_states m`;

/** By code (the primary key). */
const BY_CODE = keyset({
  name: 'member-states',
  direction: 'asc',
  columns: [{ sql: 's.code', type: 'text' }],
});

const counts = (c: { domains: unknown[]; cidrs: unknown[]; asns: unknown[] }) => ({
  domains: c.domains.length,
  cidrs: c.cidrs.length,
  asns: c.asns.length,
});

@Injectable()
export class MemberStatesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly contacts: ContactsService,
  ) {}

  async list(principal: Principal, limit: number, cursor?: string): Promise<Page<MemberStateView>> {
    const params = new SqlParams();
    const rows = await sql<StateRow>(
      this.dataSource,
      `SELECT s.*, ${BY_CODE.select} FROM (${STATE_SELECT}) s
       WHERE ${BY_CODE.after(cursor, params)}
       ORDER BY ${BY_CODE.orderBy} LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    const page = BY_CODE.page(rows, limit, cursor);
    return { items: await this.withContacts(principal, page.rows), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, rawCode: string): Promise<MemberStateView> {
    const code = parseStateCode(rawCode);
    const rows = await sql<StateRow>(this.dataSource, `${STATE_SELECT} WHERE m.code = $1`, [code]);
    if (rows.length === 0) throw Problem.notFound('memberState');
    const [view] = await this.withContacts(principal, rows);
    return view;
  }

  /** Replaces the whole constituency in one transaction; the lists are validated first. */
  async replaceConstituency(
    principal: Principal,
    rawCode: string,
    dto: ReplaceConstituencyDto,
  ): Promise<MemberStateView> {
    const code = parseStateCode(rawCode);
    const { value, errors } = normaliseConstituency(dto);
    if (errors.length > 0) throw Problem.validation(errors);
    await this.dataSource.transaction(async (manager) => {
      const locked = await sql(manager, 'SELECT 1 FROM member_states WHERE code = $1 FOR UPDATE', [
        code,
      ]);
      if (locked.length === 0) throw Problem.notFound('memberState');
      const previous = await this.replaceRows(manager, code, value);
      await this.audit.append(manager, {
        actor: actorOf(principal),
        action: 'member-state.constituency-replaced',
        targetType: 'member-state',
        targetId: code,
        change: { before: previous, after: counts(value) },
      });
    });
    return this.get(principal, code);
  }

  /** Deletes and re-inserts the three sets; answers how many entries there were before. */
  private async replaceRows(manager: EntityManager, code: string, value: Constituency) {
    const [deleted] = await sql<{ domains: number; cidrs: number; asns: number }>(
      manager,
      `WITH d AS (DELETE FROM constituency_domains WHERE state_code = $1 RETURNING 1),
            c AS (DELETE FROM constituency_cidrs WHERE state_code = $1 RETURNING 1),
            a AS (DELETE FROM constituency_asns WHERE state_code = $1 RETURNING 1)
       SELECT (SELECT count(*) FROM d)::int AS domains, (SELECT count(*) FROM c)::int AS cidrs,
              (SELECT count(*) FROM a)::int AS asns`,
      [code],
    );
    await manager.query(
      'INSERT INTO constituency_domains (state_code, domain) SELECT $1, unnest($2::text[])',
      [code, value.domains],
    );
    await manager.query(
      'INSERT INTO constituency_cidrs (state_code, cidr) SELECT $1, unnest($2::cidr[])',
      [code, value.cidrs],
    );
    await manager.query(
      'INSERT INTO constituency_asns (state_code, asn) SELECT $1, unnest($2::bigint[])',
      [code, value.asns],
    );
    return deleted;
  }

  private async withContacts(principal: Principal, rows: StateRow[]): Promise<MemberStateView[]> {
    const seesContacts = principal.role !== 'analyst';
    const contacts = seesContacts
      ? await this.contacts.listFor(
          this.dataSource.manager,
          rows.map((r) => r.code),
        )
      : new Map<string, ContactView[]>();
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      constituency: { domains: r.domains, cidrs: r.cidrs, asns: r.asns.map(Number) },
      ...(seesContacts ? { contacts: contacts.get(r.code) ?? [] } : {}),
    }));
  }
}
