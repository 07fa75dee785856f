import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { constituencyKeys, NormalisedObservable } from './constituency-keys.js';

export interface RoutingInput {
  reportingState: string;
  affectedStates: string[];
  tlp: string;
  observables: NormalisedObservable[];
}

export interface RoutingDecision {
  /** States that get a dispatch. */
  dispatchedTo: string[];
  /** Constituency matches withheld by TLP:RED / TLP:AMBER+STRICT; shared with no one. */
  suggested: string[];
}

const RESTRICTED_TLP = new Set(['TLP:RED', 'TLP:AMBER+STRICT']);

@Injectable()
export class RoutingService {
  /** Decides who gets the incident; runs inside the intake transaction. */
  async route(manager: EntityManager, input: RoutingInput): Promise<RoutingDecision> {
    const matched = await this.matchConstituencies(manager, input.observables);
    const affected = new Set(input.affectedStates);
    affected.delete(input.reportingState);
    const others = [...matched].filter((s) => s !== input.reportingState && !affected.has(s));
    if (RESTRICTED_TLP.has(input.tlp)) {
      return { dispatchedTo: [...affected].sort(), suggested: others.sort() };
    }
    return { dispatchedTo: [...affected, ...others].sort(), suggested: [] };
  }

  /**
   * One indexed query: domain suffixes by equality (btree), addresses by containment
   * (GiST on cidr), ASNs by equality. No scan over the rules.
   */
  async matchConstituencies(
    manager: EntityManager,
    observables: NormalisedObservable[],
  ): Promise<Set<string>> {
    const keys = constituencyKeys(observables);
    if (keys.domains.length + keys.ips.length + keys.asns.length === 0) return new Set();
    const rows: { state_code: string }[] = await manager.query(
      `SELECT state_code FROM constituency_domains WHERE domain = ANY($1::text[])
       UNION
       SELECT c.state_code FROM unnest($2::inet[]) AS ip
         JOIN constituency_cidrs c ON c.cidr >>= ip
       UNION
       SELECT state_code FROM constituency_asns WHERE asn = ANY($3::bigint[])`,
      [keys.domains, keys.ips, keys.asns],
    );
    return new Set(rows.map((r) => r.state_code));
  }
}
