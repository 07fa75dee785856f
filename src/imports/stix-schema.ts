import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import bundled from './data/stix2.1-schemas.json' with { type: 'json' };

/**
 * Each imported STIX object is validated against its own type's OASIS STIX 2.1 JSON schema
 * (data/stix2.1-schemas.json: the OASIS schemas unchanged, in one file), never the whole
 * bundle against bundle.json (which refuses valid incident, grouping, note… objects). An
 * object of a type without a schema (custom `x-…` objects) is not checked: the mapping
 * ignores what it does not know.
 */

// CommonJS packages seen from ESM: the class/plugin may sit on `.default`.
type AjvClass = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ??
  Ajv2020Module) as AjvClass;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: InstanceType<AjvClass>) => void;

const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';
const COMMON_TYPES: Record<string, string> = {
  'marking-definition': 'common/marking-definition.json',
  'extension-definition': 'common/extension-definition.json',
  'language-content': 'common/language-content.json',
};

let ajv: InstanceType<AjvClass> | null = null;

/** Compiled once, on first use (the worker's, not the HTTP process's). */
function validator(): InstanceType<AjvClass> {
  if (ajv) return ajv;
  const instance = new Ajv2020({ strict: false, unicodeRegExp: false, allErrors: false });
  addFormats(instance);
  // Hostnames with non-ASCII labels: the schemas name the format, ajv-formats lacks it.
  instance.addFormat(
    'idn-hostname',
    (s: string) => s.length > 0 && s.length <= 253 && !/[\s/@]/.test(s),
  );
  for (const schema of bundled.schemas) instance.addSchema(schema);
  ajv = instance;
  return instance;
}

function schemaId(type: string): string | null {
  const v = validator();
  for (const dir of ['sdos', 'sros', 'observables']) {
    const id = `${BASE}/${dir}/${type}.json`;
    if (v.getSchema(id)) return id;
  }
  return COMMON_TYPES[type] ? `${BASE}/${COMMON_TYPES[type]}` : null;
}

/** Why an object fails its type's schema (the first error), or null when it passes or has none. */
export function schemaError(object: { type: string }): string | null {
  const id = schemaId(object.type);
  if (!id) return null;
  const validate = validator().getSchema(id);
  if (!validate || validate(object)) return null;
  const [error] = validate.errors ?? [];
  return error ? `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`.trim() : 'invalid';
}
