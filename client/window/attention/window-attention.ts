import type { Logger } from 'pino';
import { WINDOW_TITLES } from '../../contract/window-title';

/**
 * Asks the desktop to draw the customer's eye to the window: the urgency hint on X11, the
 * taskbar flash on Windows. Neutralino's JavaScript API has no call for this, so the
 * agent (a Node process beside the window) does it, finding the window by its title.
 *
 * Best effort: the methods never reject and never throw (a failure is logged at debug),
 * and each is bounded in time, so the consent question never waits on them.
 */
export interface WindowAttention {
  /** Asks for attention on every window of ours found. */
  request(): Promise<void>;
  /** Withdraws the request (the question was answered or went away). */
  clear(): Promise<void>;
  /** No more requests; what is under way finishes on its own. Safe to call twice. */
  close(): void;
}

/** At most this many windows are asked about: a title match is a guess, and a guess should not touch a whole desktop. */
export const MAX_ATTENTION_WINDOWS = 8;

/**
 * The titles the window can have, in either language: Neutralino's window is titled
 * exactly so, the browser fallback's adds the browser's name ("… - Chromium").
 */
export const APP_WINDOW_TITLES: readonly string[] = Object.freeze(Object.values(WINDOW_TITLES));

/** Whether a window titled `title` is ours. */
export function isAppWindowTitle(title: string, names: readonly string[] = APP_WINDOW_TITLES): boolean {
  return names.some((name) => name.length > 0 && title.includes(name));
}

/** The message of anything thrown, for a debug line (never a window title: it may be anyone's). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Where there is no way to ask (macOS, Wayland, no DISPLAY): does nothing, and says why once. */
export class NoWindowAttention implements WindowAttention {
  private said = false;

  constructor(private readonly logger: Logger, private readonly why: string) {}

  request(): Promise<void> {
    if (!this.said) {
      this.said = true;
      this.logger.debug({ why: this.why }, 'the window cannot ask for attention here');
    }
    return Promise.resolve();
  }

  clear(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {}
}
