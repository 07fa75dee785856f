import type { Msg } from '../i18n/i18n.js';
import type { Mapped } from './import-candidate.js';
import { mapMisp } from './misp-import.js';
import { mapStix } from './stix-import.js';

/**
 * Run in the helper thread (common/thread.ts) by ImportRunner: the stored input parsed and
 * mapped to candidates there, so a 32 MiB document's tree never lands on the job's event
 * loop or heap; only the candidates come back.
 */
export function mapInput(
  payload: string,
  format: 'stix' | 'misp' | 'taxii',
  title: string | undefined,
): Mapped | { error: Msg } {
  const body: unknown = JSON.parse(payload);
  return format === 'misp' ? mapMisp(body) : mapStix(body, { title });
}
