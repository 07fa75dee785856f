import { msg } from '../i18n/i18n.js';
import { normaliseObservable, type Observable } from '../incidents/observables.js';
import type { Skipped } from './import-candidate.js';
import type { RawObservable } from './stix-pattern-reader.js';

/**
 * Gathers one incident's observables: normalised as intake does (incidents/observables.ts),
 * without duplicates; a single-address CIDR (`/32`, `/128`) is that address, a wider range is
 * skipped (an incident's observable is one address), and a malformed value is skipped, each
 * with its reason.
 */
export class ObservableCollector {
  private readonly seen = new Set<string>();
  readonly observables: Observable[] = [];

  constructor(private readonly skipped: Skipped[]) {}

  add(ref: string, raw: RawObservable): boolean {
    let value = raw.value.trim();
    if ((raw.type === 'ipv4' || raw.type === 'ipv6') && value.includes('/')) {
      const [address, bits] = value.split('/');
      if ((raw.type === 'ipv4' && bits === '32') || (raw.type === 'ipv6' && bits === '128')) {
        value = address;
      } else {
        this.skipped.push({ ref, message: msg('import.skip.range', { value }) });
        return false;
      }
    }
    const result = normaliseObservable(raw.type, value);
    if (!result.ok) {
      this.skipped.push({
        ref,
        message: msg('import.skip.malformed', { type: raw.type, value: value.slice(0, 200) }),
      });
      return false;
    }
    const key = `${raw.type}\u0000${result.value}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.observables.push({ type: raw.type, value: result.value });
    }
    return true;
  }
}
