import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every message the console's sources name is in both catalogues, and every catalogue entry
 * is named somewhere (literally, or under a prefix the sources complete at run time, such as
 * `status.${status}`). A missing key would show its id to a person.
 */
const CONSOLE = path.resolve('console', 'src');
const read = (file: string) => readFileSync(path.join(CONSOLE, file), 'utf8');

function sources(dir = ''): string[] {
  return readdirSync(path.join(CONSOLE, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.spec.ts') ? [rel] : [];
  });
}

const catalogue = (lang: string) => JSON.parse(read(`i18n/${lang}.json`)) as Record<string, string>;

describe('console messages', () => {
  const code = sources().map(read).join('\n');
  // `<FormattedMessage id="…"`, `formatMessage({ id: '…' }`, `id={x ? '…' : '…'}`
  const literal = new Set<string>();
  for (const m of code.matchAll(/<FormattedMessage\s+id="([^"]+)"/g)) literal.add(m[1]);
  for (const m of code.matchAll(/formatMessage\(\s*\{\s*id:\s*'([^']+)'/g)) literal.add(m[1]);
  for (const m of code.matchAll(/id(?:=\{|:\s*)[^'`}]*\?\s*'([\w.-]+)'\s*:\s*'([\w.-]+)'/g)) {
    literal.add(m[1]);
    literal.add(m[2]);
  }
  for (const m of code.matchAll(/\{\s*(?:to:\s*'[^']*',\s*)?id:\s*'([\w.-]+)'\s*\}/g)) {
    literal.add(m[1]);
  }
  // Ids completed at run time: `status.${i.status}` → the prefix `status.`.
  const prefixes = new Set<string>();
  for (const m of code.matchAll(/`([\w-]+(?:\.[\w-]+)*\.)\$\{/g)) prefixes.add(m[1]);
  // Ids handed around as strings before they are formatted (`'queue.filter.status'`).
  const quoted = new Set([...code.matchAll(/'([\w-]+(?:\.[\w-]+)+)'/g)].map((m) => m[1]));

  it.each(['en', 'ru'])('%s has every message the sources name', (lang) => {
    const messages = catalogue(lang);
    expect(literal.size).toBeGreaterThan(100);
    expect([...literal].filter((id) => messages[id] === undefined)).toEqual([]);
  });

  it('has no message nothing names', () => {
    const unused = Object.keys(catalogue('en')).filter(
      (key) =>
        !literal.has(key) && !quoted.has(key) && ![...prefixes].some((p) => key.startsWith(p)),
    );
    expect(unused).toEqual([]);
  });
});
