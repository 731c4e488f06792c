import type { Language } from '../../common/language';

/**
 * The customer's window's title in each language. The page sets it (the document title,
 * and Neutralino's window title), and the agent finds the window on the desktop by it, to
 * ask for attention when a technician asks (client/window/attention/): one list, so the
 * two cannot drift apart.
 */
export const WINDOW_TITLES: Readonly<Record<Language, string>> = Object.freeze({
  es: 'CompuEasys Soporte Remoto',
  en: 'CompuEasys Remote Support',
});
