import type { Messages } from './messages';

/**
 * Shows whether the relay can read the session (PROTOCOL.md §12.7): a lock when the two
 * sides verified each other and seal everything, a warning when the customer's app is an
 * older one and the session runs in clear. `undefined`: nothing to say yet (hidden).
 */
export function renderE2eBadge(el: HTMLElement, encrypted: boolean | undefined, messages: Messages): void {
  el.hidden = encrypted === undefined;
  if (encrypted === undefined) {
    delete el.dataset.e2e;
    return;
  }
  el.dataset.e2e = encrypted ? 'sealed' : 'plain';
  el.textContent = encrypted ? messages.badgeE2e : messages.badgeNotE2e;
  el.title = encrypted ? messages.badgeE2eHint : messages.badgeNotE2eHint;
}
