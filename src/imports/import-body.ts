import { mispEventsOf } from './misp-import.js';
import { isStixObject, stixObjectsOf, stixVersion } from './stix-import.js';

/**
 * What the import routes need of a body, made in the helper thread (common/large-json.ts)
 * from the parsed document, so the document itself never reaches the event loop: the
 * import stores the text as received and its job maps it (import-mapping.ts).
 */
export interface ImportBody {
  /** A MISP event, bare event or search answer. */
  misp: boolean;
  /** A STIX bundle, TAXII envelope or list of STIX objects. */
  stix: boolean;
  /** A bare JSON array (not a TAXII envelope). */
  list: boolean;
  /** When `stix`: each object's id and version, or `objects[i]` for what is not an object. */
  objects: { id: string; version: string | null }[] | null;
}

export function summarise(body: unknown): ImportBody {
  const stix = stixObjectsOf(body);
  return {
    misp: mispEventsOf(body) !== null,
    stix: stix.ok,
    list: Array.isArray(body),
    objects: stix.ok
      ? stix.objects.map((o, index) =>
          isStixObject(o)
            ? { id: o.id, version: stixVersion(o) }
            : { id: `objects[${index}]`, version: null },
        )
      : null,
  };
}
