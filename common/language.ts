/**
 * The one rule for which of our two languages a person sees, used by the customer's
 * window, the terminal agent and the technician's page alike.
 */
export type Language = 'es' | 'en';

/** Every language we speak, in the order of the language switches. */
export const LANGUAGES: readonly Language[] = Object.freeze(['es', 'en']);

/** A language we speak (for values read back from storage or a flag). */
export function isLanguage(value: unknown): value is Language {
  return value === 'es' || value === 'en';
}

/** Locales that name no language at all. */
const NO_LANGUAGE = /^(c|posix)([._@].*)?$/i;

/**
 * The language for a person's preferred languages, most preferred first: browser tags
 * (`es-MX`, `en-US`) or POSIX locales (`es_CO.UTF-8`).
 *
 * - the first one we speak wins (`es-MX` is Spanish, whatever the region);
 * - a person who prefers only other languages gets English, the more widely understood
 *   of our two;
 * - when nothing names a language (no preference, `C`, `POSIX`), Spanish, the product's
 *   first language.
 */
export function pickLanguage(preferred: readonly (string | null | undefined)[]): Language {
  let sawOther = false;
  for (const tag of preferred) {
    if (!tag || NO_LANGUAGE.test(tag)) continue;
    const primary = tag.toLowerCase().split(/[-_.@]/)[0];
    if (isLanguage(primary)) return primary;
    sawOther = true;
  }
  return sawOther ? 'en' : 'es';
}
