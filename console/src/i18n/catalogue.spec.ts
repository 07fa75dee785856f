import en from './en.json';
import ru from './ru.json';

/** The names a message fills in: `{name}` and `{count, plural, …}` alike. */
function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\s*(\w+)\s*[,}]/g)].map((m) => m[1]).sort();
}

describe('console catalogues', () => {
  it('have the same keys in Russian and English', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it('fill in the same placeholders', () => {
    const english = en as Record<string, string>;
    const russian = ru as Record<string, string>;
    for (const key of Object.keys(english)) {
      expect([key, placeholders(russian[key])]).toEqual([key, placeholders(english[key])]);
    }
  });
});
