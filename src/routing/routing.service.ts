import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sql } from '../common/sql.js';
import { ConstituencyIndex, ConstituencyRows } from './constituency-index.js';
import { constituencyKeys, NormalisedObservable } from './constituency-keys.js';
import { applyTlpRule, RoutingDecision } from './tlp-rule.js';

export type { RoutingDecision } from './tlp-rule.js';

export interface RoutingInput {
  reportingState: string;
  affectedStates: string[];
  tlp: string;
  observables: NormalisedObservable[];
}

/** A decision and the constituency version it was made at. */
export interface Routed {
  decision: RoutingDecision;
  version: string;
}

interface Rules {
  version: string;
  index: ConstituencyIndex;
}

/**
 * SQL that is true while the constituency rules are still at the version a decision was made
 * at: the statement that files the incident writes nothing otherwise (see ConstituencyVersion).
 */
export function rulesStillAt(versionParam: string): string {
  return `(SELECT version FROM constituency_version WHERE id = 1) = ${versionParam}::bigint`;
}

/**
 * Decides who gets an incident from the constituency rules held in memory (no query per
 * intake). The rules are loaded with their version in one snapshot; intake files only if the
 * version is still current and otherwise calls `outdated()` and decides again, so routing
 * always follows the rules as they are when the incident commits, on every instance.
 */
@Injectable()
export class RoutingService {
  private rules: Promise<Rules> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async decide(input: RoutingInput): Promise<Routed> {
    const { version, index } = await this.current();
    const matched = index.match(constituencyKeys(input.observables));
    return { decision: applyTlpRule({ ...input, matched }), version };
  }

  /** A filing found the rules newer than `version`: load them again on the next decision. */
  async outdated(version: string): Promise<void> {
    const rules = await this.rules?.catch(() => null);
    if (rules?.version === version) this.rules = null;
  }

  private current(): Promise<Rules> {
    if (!this.rules) {
      const loading = this.load();
      this.rules = loading;
      loading.catch(() => {
        if (this.rules === loading) this.rules = null; // retried on the next decision
      });
    }
    return this.rules;
  }

  /** One statement, so the rules and their version come from the same snapshot. */
  private async load(): Promise<Rules> {
    const [row] = await sql<ConstituencyRows & { version: string }>(
      this.dataSource,
      `SELECT (SELECT version::text FROM constituency_version WHERE id = 1) AS version,
         (SELECT coalesce(json_agg(json_build_array(state_code, domain)), '[]')
          FROM constituency_domains) AS domains,
         (SELECT coalesce(json_agg(json_build_array(state_code, cidr::text)), '[]')
          FROM constituency_cidrs) AS cidrs,
         (SELECT coalesce(json_agg(json_build_array(state_code, asn::text)), '[]')
          FROM constituency_asns) AS asns`,
    );
    return { version: row.version, index: new ConstituencyIndex(row) };
  }
}
