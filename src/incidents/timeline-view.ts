import { CCC_PARTY } from '../vocabulary/member-states.js';

export interface TimelineItem {
  id: string;
  type: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
}

/** Keys of `data` only the coordination center reads (delivery internals). */
const CCC_ONLY: Record<string, readonly string[]> = {
  notified: ['deliveryId', 'channel'],
};
/** Keys of `data` the coordination center and the reporting state read (TLP-withheld routing). */
const REPORTER_ONLY: Record<string, readonly string[]> = {
  routed: ['suggested'],
};

/**
 * A timeline event as `party` (a member state or CCC) may read it. Every event of an
 * incident the party sees is listed; only data it may not see is dropped: delivery ids
 * and channels (coordinators' business), and constituency matches withheld by TLP,
 * which stay with the coordination center and the reporting state as in the incident view.
 */
export function timelineItemFor(
  party: string,
  reportingState: string,
  item: TimelineItem,
): TimelineItem {
  if (party === CCC_PARTY) return item;
  const hidden = [
    ...(CCC_ONLY[item.type] ?? []),
    ...(party === reportingState ? [] : (REPORTER_ONLY[item.type] ?? [])),
  ];
  if (!hidden.some((key) => key in item.data)) return item;
  const data = Object.fromEntries(Object.entries(item.data).filter(([k]) => !hidden.includes(k)));
  return { ...item, data };
}
