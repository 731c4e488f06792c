import { isLanguage, pickLanguage, type Language } from '../../common/language';
import { EN, ES, type Messages } from './messages';

const CATALOGUES: Readonly<Record<Language, Messages>> = Object.freeze({ es: ES, en: EN });

/** The words of one language. */
export function messagesFor(language: Language): Messages {
  return CATALOGUES[language];
}

/**
 * The panel's language: the technician's own choice if one was saved, else common/language.ts's
 * rule over the browser's preferred languages.
 */
export function panelLanguage(saved: string | null | undefined, browserLanguages: readonly string[]): Language {
  return isLanguage(saved) ? saved : pickLanguage(browserLanguages);
}
