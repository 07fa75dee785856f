import { type Locale, type Msg, render } from '../i18n/i18n.js';
import type { ImportHead, ItemRow } from './imports.repository.js';

export interface ImportView {
  id: string;
  format: string;
  status: string;
  total: number;
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  items: { ref: string; outcome: string; incidentId: string | null; message: string | null }[];
  createdAt: Date;
  completedAt: Date | null;
  message?: string;
}

/** The status of an import as GET /imports/:id shows it, messages in the reader's language. */
export function importView(head: ImportHead, items: ItemRow[], locale: Locale): ImportView {
  const count = (outcome: string) => items.filter((i) => i.outcome === outcome).length;
  return {
    id: head.id,
    format: head.format,
    status: head.status,
    total: Math.max(head.total, items.length),
    imported: count('imported'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    skipped: count('skipped'),
    failed: count('failed'),
    items: items.map((i) => ({
      ref: i.ref,
      outcome: i.outcome,
      incidentId: i.incidentId,
      message: i.message ? render(locale, i.message as unknown as Msg) : null,
    })),
    createdAt: head.createdAt,
    completedAt: head.completedAt,
    ...(head.message ? { message: render(locale, head.message as unknown as Msg) } : {}),
  };
}

export interface TaxiiStatus {
  id: string;
  status: 'complete' | 'pending';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes?: { id: string; version?: string; message?: string }[];
  failures?: { id: string; version?: string; message?: string }[];
  pendings?: { id: string; version?: string }[];
}

/**
 * The TAXII 2.1 status resource of an add-objects request (§4.3.1): every posted object
 * once, as a success (part of an incident filed, updated or unchanged, or context such as
 * markings), a failure (skipped with its reason, or part of an item that failed), or
 * pending (not yet reached). Counts equal list lengths; their sum is the total.
 */
export function taxiiStatus(head: ImportHead, items: ItemRow[], locale: Locale): TaxiiStatus {
  const objects = head.objects ?? [];
  const failedBy = new Map<string, string>();
  const doneBy = new Map<string, string | undefined>();
  for (const item of items) {
    const text = item.message ? render(locale, item.message as unknown as Msg) : undefined;
    const ids = item.members.length > 0 ? item.members : [item.ref];
    for (const id of ids) {
      if (item.outcome === 'failed' || item.outcome === 'skipped') {
        if (!failedBy.has(id)) failedBy.set(id, text ?? item.outcome);
      } else {
        doneBy.set(id, item.outcome === 'imported' ? undefined : text);
      }
    }
  }
  const finished = head.status !== 'pending';
  const successes: NonNullable<TaxiiStatus['successes']> = [];
  const failures: NonNullable<TaxiiStatus['failures']> = [];
  const pendings: NonNullable<TaxiiStatus['pendings']> = [];
  for (const o of objects) {
    const ref = { id: o.id, ...(o.version ? { version: o.version } : {}) };
    const failure = failedBy.get(o.id);
    if (failure !== undefined && !doneBy.has(o.id)) {
      failures.push({ ...ref, message: failure });
    } else if (doneBy.has(o.id) || finished) {
      const message = doneBy.get(o.id);
      successes.push({ ...ref, ...(message ? { message } : {}) });
    } else {
      pendings.push(ref);
    }
  }
  // A whole import that failed (unreadable input) fails every object still pending.
  if (head.status === 'failed') {
    const message = head.message ? render(locale, head.message as unknown as Msg) : undefined;
    for (const s of successes.splice(0)) failures.push({ ...s, ...(message ? { message } : {}) });
  }
  return {
    id: head.id,
    status: finished ? 'complete' : 'pending',
    request_timestamp: head.createdAt.toISOString(),
    total_count: objects.length,
    success_count: successes.length,
    failure_count: failures.length,
    pending_count: pendings.length,
    // TAXII: an empty list is omitted, never sent.
    ...(successes.length > 0 ? { successes } : {}),
    ...(failures.length > 0 ? { failures } : {}),
    ...(pendings.length > 0 ? { pendings } : {}),
  };
}
