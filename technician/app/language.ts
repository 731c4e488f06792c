import { EN, ES, type Messages } from './messages';

/** The languages of the panel. */
export type Language = 'es' | 'en';

/** Every language of the panel, in the order of the switch. */
export const LANGUAGES: readonly Language[] = Object.freeze(['es', 'en']);

const CATALOGUES: Readonly<Record<Language, Messages>> = Object.freeze({ es: ES, en: EN });

/** The words of one language. */
export function messagesFor(language: Language): Messages {
  return CATALOGUES[language];
}

/** A language the panel speaks (for values read back from storage). */
export function isLanguage(value: unknown): value is Language {
  return value === 'es' || value === 'en';
}

/**
 * The panel's language: the technician's own choice if one was saved, else the first of
 * the browser's preferred languages that we speak (`es-MX` counts as Spanish), else
 * English, the better guess for a browser set to any other language.
 */
export function pickLanguage(saved: string | null | undefined, browserLanguages: readonly string[]): Language {
  if (isLanguage(saved)) return saved;
  for (const tag of browserLanguages) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}
