import { randomBytes } from 'node:crypto';

/** Something that numbers statement parameters: `add(value)` returns `$n`. */
export interface ParamSink {
  add(value: unknown): string;
}

/** What may go into a hole: survives JSON escaping (even twice) unchanged. */
const SAFE_VALUE = /^[\w:.+-]*$/;

const PROCESS_SECRET = randomBytes(12).toString('hex');
let calls = 0;

/**
 * Text (usually JSON) built in JS with holes for values only the database knows when the
 * statement runs: a reference number, the commit-time clock, a sequence number. The text is
 * cut at the holes, so SQL can glue it back with `||` around the values. Hole values must be
 * plain tokens (letters, digits, `_:.+-`) so that no JSON escaping applies to them.
 *
 * A hole whose name ends in `Json` stands for a whole JSON value (an array the database
 * builds, such as a new incident's dispatches with their deadlines): put it where a JSON
 * string would go; the string's quotes are cut away with it, and its SQL must give JSON text.
 * One such hole keeps the text the same whatever the length of the array it stands for.
 */
export class TextTemplate {
  private constructor(
    /** The text between the holes: always one more than `holes`. */
    readonly pieces: string[],
    /** The hole names, in order of appearance (a name may appear several times). */
    readonly holes: string[],
  ) {}

  /**
   * `build(hole)` returns the text, putting `hole('name')` wherever a value goes. Markers
   * carry a secret random per process and a counter per call, so no user text contains one.
   */
  static build(build: (hole: (name: string) => string) => string): TextTemplate {
    return TextTemplate.buildAll((hole) => [build(hole)])[0];
  }

  /** Several templates whose holes share names (one marker per name across all texts). */
  static buildAll(build: (hole: (name: string) => string) => string[]): TextTemplate[] {
    const nonce = `${PROCESS_SECRET}${(calls = (calls + 1) % Number.MAX_SAFE_INTEGER)}`;
    const texts = build((name) => {
      if (!/^\w+$/.test(name)) throw new Error(`bad hole name ${name}`);
      return `hole${nonce}-${name}-`;
    });
    const prefix = `hole${nonce}-`;
    return texts.map((text) => {
      const pieces: string[] = [];
      const holes: string[] = [];
      let last = 0;
      for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, last)) {
        const end = text.indexOf('-', at + prefix.length);
        const name = text.slice(at + prefix.length, end);
        let piece = text.slice(last, at);
        last = end + 1;
        if (isJsonHole(name)) {
          // Only as a whole JSON string of this text (not escaped inside another string).
          if (!piece.endsWith('"') || piece.endsWith('\\"') || text[last] !== '"') {
            throw new Error(`hole ${name} must stand alone as a JSON string`);
          }
          piece = piece.slice(0, -1);
          last++;
        }
        pieces.push(piece);
        holes.push(name);
      }
      pieces.push(text.slice(last));
      return new TextTemplate(pieces, holes);
    });
  }

  /** The text with every hole filled. */
  fill(values: Record<string, string>): string {
    return this.pieces.reduce((out, piece, i) => {
      if (i === 0) return piece;
      return out + safe(values, this.holes[i - 1]) + piece;
    }, '');
  }

  /** A SQL text expression: the pieces as parameters, `||` the given SQL expressions. */
  sql(params: ParamSink, exprs: Record<string, string>): string {
    const parts = this.pieces.map((piece) => `${params.add(piece)}::text`);
    return `(${interleave(parts, this.holes, exprs)})`;
  }

  /**
   * One SQL text expression for rows of an `unnest`: the templates (same holes, in the same
   * order) pass their pieces as arrays, to be unnested as `columns` by the caller.
   */
  static sqlRows(
    templates: TextTemplate[],
    params: ParamSink,
    column: (i: number) => string,
    exprs: Record<string, string>,
  ): { arrays: string[]; expr: string } {
    const [first] = templates;
    for (const t of templates) {
      if (t.holes.join() !== first.holes.join()) throw new Error('templates differ in holes');
    }
    const arrays = first.pieces.map(
      (_, i) => `${params.add(templates.map((t) => t.pieces[i]))}::text[]`,
    );
    const parts = first.pieces.map((_, i) => column(i));
    return { arrays, expr: `(${interleave(parts, first.holes, exprs)})` };
  }
}

function interleave(parts: string[], holes: string[], exprs: Record<string, string>): string {
  return parts
    .map((part, i) => {
      if (i === 0) return part;
      const expr = exprs[holes[i - 1]];
      if (!expr) throw new Error(`no SQL for hole ${holes[i - 1]}`);
      return `(${expr}) || ${part}`;
    })
    .join(' || ');
}

function isJsonHole(name: string): boolean {
  return name.endsWith('Json');
}

function safe(values: Record<string, string>, name: string): string {
  const value = values[name];
  if (isJsonHole(name) && value !== undefined) {
    JSON.parse(value); // throws unless JSON text
    return value;
  }
  if (value === undefined || !SAFE_VALUE.test(value)) {
    throw new Error(`hole ${name} needs a plain token, got ${JSON.stringify(value)}`);
  }
  return value;
}
