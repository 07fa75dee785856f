import { getMetadataStorage, ValidationArguments } from 'class-validator';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMessageKey } from '../i18n/i18n.js';
import { CONSTRAINTS, constraintMessage } from './validation.js';

/** Every DTO and query class of the service, with the decorators they declare. */
type Class = abstract new (...args: never[]) => unknown;

async function dtoClasses(): Promise<Class[]> {
  const src = new URL('..', import.meta.url).pathname;
  const files: string[] = [join(src, 'common/pagination.ts')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (
        dir.endsWith('/dto') &&
        entry.name.endsWith('.ts') &&
        !entry.name.endsWith('.spec.ts')
      ) {
        files.push(path);
      }
    }
  };
  walk(src);
  const classes: Class[] = [];
  for (const file of files) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value === 'function' && /^class /.test(value.toString())) {
        classes.push(value as Class);
      }
    }
  }
  return classes;
}

describe('validation messages', () => {
  it('come from the catalogues for every decorator of every DTO', async () => {
    const storage = getMetadataStorage();
    const classes = await dtoClasses();
    expect(classes.length).toBeGreaterThan(15);
    const untranslated: string[] = [];
    let checked = 0;
    for (const cls of classes) {
      for (const m of storage.getTargetValidationMetadatas(cls, '', true, false)) {
        if (m.type !== 'customValidation') continue;
        checked++;
        const where = `${cls.name}.${m.propertyName}`;
        if (typeof m.message === 'function') untranslated.push(`${where}: message function`);
        else if (typeof m.message === 'string') {
          if (!isMessageKey(m.message)) untranslated.push(`${where}: "${m.message}"`);
        } else {
          const name = m.name ?? storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name;
          if (name && CONSTRAINTS[name]) continue;
          // A constraint class of ours: its default message must be a key, for any object.
          const instance = new (
            m.constraintCls as new () => {
              defaultMessage?: (args: ValidationArguments) => string;
            }
          )();
          for (const object of [{}, { role: 'analyst' }, { role: 'admin' }]) {
            const text = instance.defaultMessage?.({ object } as ValidationArguments) ?? '';
            if (!isMessageKey(text)) untranslated.push(`${where} (${name}): "${text}"`);
          }
        }
      }
    }
    expect(untranslated).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('gives a constraint without a mapping a neutral message, never its English text', () => {
    expect(constraintMessage('isHexColor', 'must be a hex color', undefined, 'x')).toEqual({
      key: 'v.invalid',
    });
    expect(constraintMessage('matches', 'v.username', undefined, 'x')).toEqual({
      key: 'v.username',
    });
  });
});
