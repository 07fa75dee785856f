import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options: { type: 'minor' }) => void;

/**
 * Bytes received into new buffers between two minor collections (docs/performance.md,
 * "Attachments"). Every socket read is a new buffer whose memory lies outside V8's heap, and
 * Node 20's V8 counts such memory, allocated since the last full collection and not yet
 * freed, against the old generation's limit. With the service's heap capped at 128 MB and
 * about 67 MB live, that limit is about 97 MB, and the buffers of one 25 MiB transfer, dead
 * but not yet collected, reached it: V8 marked the whole heap once or twice per file, which
 * made up most of a download's CPU. A minor collection every few MiB (only the young objects
 * are visited: about a millisecond) frees them before they count.
 */
export const MINOR_GC_EVERY_BYTES = 4 * 1024 * 1024;

/** V8's collector, asked for a minor collection; null where it is not available. */
const minorGc: (() => void) | null = (() => {
  const exposed = (globalThis as { gc?: GcFunction }).gc;
  if (exposed) return () => exposed({ type: 'minor' });
  try {
    // Without --expose-gc on the command line: while the flag is set, a new context gets a
    // `gc` function; it is switched off again so that no other context does.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as GcFunction | undefined;
    setFlagsFromString('--no-expose-gc');
    return gc ? () => gc({ type: 'minor' }) : null;
  } catch {
    return null;
  }
})();

let sinceLast = 0;

/**
 * Counts bytes received into new buffers (attachment uploads and downloads, all of them
 * together) and runs a minor collection each MINOR_GC_EVERY_BYTES; true when it ran one.
 */
export function bytesBuffered(bytes: number): boolean {
  sinceLast += bytes;
  if (sinceLast < MINOR_GC_EVERY_BYTES || !minorGc) return false;
  sinceLast = 0;
  minorGc();
  return true;
}
