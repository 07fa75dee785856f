import { createContext, ReactNode, useContext, useMemo, useRef, useState } from 'react';
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
/** A person's time zone (unset: the browser's). */
const zoneKey = (userId: string) => `ccc.console.tz.${userId}`;

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
  /** The zone dates are shown in; `undefined` is the browser's own. */
  timeZone: string | undefined;
  setTimeZone(zone: string | undefined): void;
}

const LangContext = createContext<LangState>({
  lang: 'en',
  setLang: () => undefined,
  adopt: () => undefined,
  forget: () => undefined,
  timeZone: undefined,
  setTimeZone: () => undefined,
});

function localStorageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function stored(key: string): Lang | null {
  const v = localStorageGet(key);
  return isLang(v) ? v : null;
}

/** The IANA zones this browser knows (for the profile's choice). */
export function timeZones(): string[] {
  try {
    const zones = Intl.supportedValuesOf('timeZone');
    return zones.includes('UTC') ? zones : ['UTC', ...zones];
  } catch {
    return ['UTC'];
  }
}

function knownZone(zone: string | null): string | undefined {
  return zone && (zone === 'UTC' || timeZones().includes(zone)) ? zone : undefined;
}

function store(key: string, value: string | undefined): void {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(
    () => stored(BROWSER_KEY) ?? (navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en'),
  );
  const [timeZone, setZoneState] = useState<string | undefined>(undefined);
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
        setZoneState(knownZone(localStorageGet(zoneKey(user.id))));
        const remembered = stored(personKey(user.id));
        if (remembered) show(remembered);
        else if (chosenSignedOut.current) store(personKey(user.id), lang);
        else if (isLang(user.locale)) show(user.locale);
      },
      forget() {
        person.current = null;
        chosenSignedOut.current = false;
        setZoneState(undefined);
      },
      timeZone,
      setTimeZone(zone) {
        if (person.current) store(zoneKey(person.current), zone);
        setZoneState(zone);
      },
    };
  }, [lang, timeZone]);
  return (
    <LangContext.Provider value={value}>
      <IntlProvider
        // English dates as the British write them: day first, 24-hour clock.
        locale={lang === 'en' ? 'en-GB' : lang}
        messages={CATALOGUES[lang]}
        defaultLocale="en"
        timeZone={timeZone}
      >
        {children}
      </IntlProvider>
    </LangContext.Provider>
  );
}

export function useLang(): LangState {
  return useContext(LangContext);
}
