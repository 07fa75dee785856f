import { createContext, ReactNode, useContext, useMemo, useState } from 'react';
import { IntlProvider } from 'react-intl';
import { setLanguage } from './api';
import en from './i18n/en.json';
import ru from './i18n/ru.json';

export type Lang = 'en' | 'ru';
const CATALOGUES: Record<Lang, Record<string, string>> = { en, ru };
const KEY = 'ccc.console.lang';

interface LangState {
  lang: Lang;
  setLang(lang: Lang): void;
}

const LangContext = createContext<LangState>({ lang: 'en', setLang: () => undefined });

/** The chosen language, remembered in this browser; the user's own locale wins once known. */
export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const saved = localStorage.getItem(KEY);
    if (saved === 'en' || saved === 'ru') return saved;
    return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
  });
  setLanguage(lang);
  const value = useMemo<LangState>(
    () => ({
      lang,
      setLang(next) {
        localStorage.setItem(KEY, next);
        document.documentElement.lang = next;
        setLangState(next);
      },
    }),
    [lang],
  );
  document.documentElement.lang = lang;
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
