import { createContext, ReactNode, useMemo, useRef, useState, useContext } from 'react';
import { IntlProvider } from 'react-intl';
import { setLanguage } from './api';
import en from './i18n/en.json';
import ru from './i18n/ru.json';

export type Lang = 'en' | 'ru';
const CATALOGUES: Record<Lang, Record<string, string>> = { en, ru };
/** The language this browser showed last (the sign-in form starts in it). */
const BROWSER_KEY = 'ccc.console.lang';
/** A person's own choice, remembered in this browser. */
const personKey = (userId: string) => `ccc.console.lang.${userId}`;

const isLang = (v: unknown): v is Lang => v === 'en' || v === 'ru';

interface LangState {
  lang: Lang;
  /** The person chose a language (the switch). */
  setLang(lang: Lang): void;
  /**
   * Someone signed in: their remembered choice, else the one they just made on the sign-in
   * form (then remembered), else their account's language.
   */
  adopt(user: { id: string; locale: string }): void;
  /** Signed out: choices are the browser's again. */
  forget(): void;
}

const LangContext = createContext<LangState>({
  lang: 'en',
  setLang: () => undefined,
  adopt: () => undefined,
  forget: () => undefined,
});

function stored(key: string): Lang | null {
  try {
    const v = localStorage.getItem(key);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

function store(key: string, lang: Lang): void {
  try {
    localStorage.setItem(key, lang);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(
    () => stored(BROWSER_KEY) ?? (navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en'),
  );
  const person = useRef<string | null>(null);
  const chosenSignedOut = useRef(false);
  setLanguage(lang);
  document.documentElement.lang = lang;

  const value = useMemo<LangState>(() => {
    const show = (next: Lang) => {
      store(BROWSER_KEY, next);
      setLanguage(next);
      setLangState(next);
    };
    return {
      lang,
      setLang(next) {
        if (person.current) store(personKey(person.current), next);
        else chosenSignedOut.current = true;
        show(next);
      },
      adopt(user) {
        if (person.current === user.id) return;
        person.current = user.id;
        const remembered = stored(personKey(user.id));
        if (remembered) show(remembered);
        else if (chosenSignedOut.current) store(personKey(user.id), lang);
        else if (isLang(user.locale)) show(user.locale);
      },
      forget() {
        person.current = null;
        chosenSignedOut.current = false;
      },
    };
  }, [lang]);
  return (
    <LangContext.Provider value={value}>
      <IntlProvider locale={lang} messages={CATALOGUES[lang]} defaultLocale="en">
        {children}
      </IntlProvider>
    </LangContext.Provider>
  );
}

export function useLang(): LangState {
  return useContext(LangContext);
}
