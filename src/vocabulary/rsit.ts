import rsit from './data/rsit.json' with { type: 'json' };

/**
 * The ENISA Reference Security Incident Taxonomy (data/rsit.json, CC0-1.0, copied unchanged
 * from the RSIT task force's machine-readable version): 11 classes, 39 types. An incident's
 * `category` is `class/type`.
 */
export interface RsitType {
  /** `class/type`, the category as the API takes it. */
  category: string;
  type: string;
  /** ENISA's English name and description. */
  name: string;
  description: string;
}

export interface RsitClass {
  value: string;
  name: string;
  types: RsitType[];
}

export const RSIT_VERSION: number = rsit.version;

export const RSIT_CLASSES: readonly RsitClass[] = rsit.predicates.map((predicate) => ({
  value: predicate.value,
  name: predicate.expanded,
  types: (rsit.values.find((group) => group.predicate === predicate.value)?.entry ?? []).map(
    (entry) => ({
      category: `${predicate.value}/${entry.value}`,
      type: entry.value,
      name: entry.expanded,
      description: entry.description,
    }),
  ),
}));

/** RSIT `class/type` pairs: the valid incident categories. */
export const CATEGORIES: readonly string[] = RSIT_CLASSES.flatMap((c) =>
  c.types.map((t) => t.category),
);
