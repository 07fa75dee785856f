import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { prepared, sql } from '../common/sql.js';
import { constituencyKeys, NormalisedObservable } from './constituency-keys.js';
import { applyTlpRule, RoutingDecision } from './tlp-rule.js';

export type { RoutingDecision } from './tlp-rule.js';

export interface RoutingInput {
  reportingState: string;
  affectedStates: string[];
  tlp: string;
  observables: NormalisedObservable[];
}

const MATCH_SQL = `SELECT state_code FROM constituency_domains WHERE domain = ANY($1::text[])
  UNION
  SELECT c.state_code FROM unnest($2::inet[]) AS ip JOIN constituency_cidrs c ON c.cidr >>= ip
  UNION
  SELECT state_code FROM constituency_asns WHERE asn = ANY($3::bigint[])`;

@Injectable()
export class RoutingService {
  /** Decides who gets the incident; runs inside the intake transaction. */
  async route(manager: EntityManager, input: RoutingInput): Promise<RoutingDecision> {
    const matched = await this.matchConstituencies(manager, input.observables);
    return applyTlpRule({ ...input, matched });
  }

  /**
   * One indexed query: domain suffixes by equality (btree), addresses by containment
   * (GiST inet_ops on cidr), ASNs by equality. No scan over the rules.
   */
  async matchConstituencies(
    manager: EntityManager,
    observables: NormalisedObservable[],
  ): Promise<Set<string>> {
    const keys = constituencyKeys(observables);
    if (keys.domains.length + keys.ips.length + keys.asns.length === 0) return new Set();
    const values = [keys.domains, keys.ips, keys.asns];
    // Outside a transaction (intake routes before it files), a prepared statement.
    const rows = manager.queryRunner
      ? await sql<{ state_code: string }>(manager, MATCH_SQL, values)
      : await prepared<{ state_code: string }>(
          manager.connection,
          'routing_match',
          MATCH_SQL,
          values,
        );
    return new Set(rows.map((r) => r.state_code));
  }
}
