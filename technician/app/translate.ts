import type { MessageKey, Messages } from './messages';

/**
 * Puts the words of `messages` into the static parts of the page: `data-i18n` (text),
 * `data-i18n-placeholder`, `data-i18n-aria-label` and `data-i18n-title`. Dynamic texts (states, stats) are
 * rendered by their owners from message keys, so a language switch re-renders them too.
 */
export function applyTranslations(root: ParentNode, messages: Messages): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const text = lookup(messages, el.dataset.i18n);
    if (text !== undefined) el.textContent = text;
  }
  for (const el of root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-i18n-placeholder]')) {
    const text = lookup(messages, el.dataset.i18nPlaceholder);
    if (text !== undefined) el.placeholder = text;
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-aria-label]')) {
    const text = lookup(messages, el.dataset.i18nAriaLabel);
    if (text !== undefined) el.setAttribute('aria-label', text);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-title]')) {
    const text = lookup(messages, el.dataset.i18nTitle);
    if (text !== undefined) el.title = text;
  }
}

function lookup(messages: Messages, key: string | undefined): string | undefined {
  return key !== undefined && key in messages ? messages[key as MessageKey] : undefined;
}
