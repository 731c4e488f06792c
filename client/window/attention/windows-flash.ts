import type { Logger } from 'pino';
import { APP_WINDOW_TITLES, errorText, isAppWindowTitle, MAX_ATTENTION_WINDOWS, type WindowAttention } from './window-attention';

/** `FLASHWINFO.dwFlags` (winuser.h). */
export const FlashFlags = Object.freeze({
  STOP: 0,
  CAPTION: 1,
  TRAY: 2,
  /** CAPTION | TRAY */
  ALL: 3,
  TIMER: 4,
  /** Keep flashing until the window comes to the foreground. */
  TIMERNOFG: 12,
});

/** Flash the caption and the taskbar button until the customer brings the window up. */
export const FLASH_UNTIL_FOREGROUND = FlashFlags.ALL | FlashFlags.TIMERNOFG;

/** A top-level window's handle, as the FFI hands it over (opaque: only passed back). */
export type WindowHandle = unknown;

/** The few user32 calls the flash needs (user32-adapter.ts makes them through koffi). */
export interface User32 {
  /** The top-level windows (EnumWindows), at most `limit`. */
  topLevelWindows(limit: number): WindowHandle[];
  /** The window's title (GetWindowTextW); empty when it has none. */
  windowText(window: WindowHandle): string;
  /** FlashWindowEx with these flags, count 0 and the default rate. */
  flash(window: WindowHandle, flags: number): void;
}

/** Top-level windows looked at, at most: a desktop has a few hundred. */
const MAX_ENUMERATED = 4096;

/**
 * Asks for attention on Windows: flashes the window's taskbar button (and caption) until
 * it comes to the foreground, and stops the flash when the question ends. The window is
 * found among the top-level windows by its title. user32 is loaded the first time it is
 * needed (never on other platforms), and calls are synchronous, so nothing can overtake.
 */
export class WindowsFlashAttention implements WindowAttention {
  private user32: User32 | undefined;
  private unavailable = false;
  private closed = false;
  /** The windows flashing now, stopped on clear even if their title changed since. */
  private flashing: WindowHandle[] = [];

  constructor(
    private readonly loadUser32: () => User32,
    private readonly logger: Logger,
    private readonly titles: readonly string[] = APP_WINDOW_TITLES,
  ) {}

  request(): Promise<void> {
    this.run('request', (u) => {
      const windows = this.find(u);
      for (const w of windows) u.flash(w, FLASH_UNTIL_FOREGROUND);
      this.flashing = windows;
      this.logger.debug({ windows: windows.length }, 'flashing the window for attention');
    });
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.run('clear', (u) => {
      const windows = [...new Set([...this.flashing, ...this.find(u)])];
      this.flashing = [];
      for (const w of windows) u.flash(w, FlashFlags.STOP);
    });
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }

  private find(u: User32): WindowHandle[] {
    const found: WindowHandle[] = [];
    for (const w of u.topLevelWindows(MAX_ENUMERATED)) {
      if (found.length >= MAX_ATTENTION_WINDOWS) break;
      if (isAppWindowTitle(u.windowText(w), this.titles)) found.push(w);
    }
    return found;
  }

  private run(what: string, act: (u: User32) => void): void {
    if (this.closed || this.unavailable) return;
    try {
      this.user32 ??= this.loadUser32();
    } catch (err) {
      this.unavailable = true; // once: koffi or user32 will not load on a later try either
      this.logger.debug({ err: errorText(err) }, 'user32 unavailable: the window cannot flash');
      return;
    }
    try {
      act(this.user32);
    } catch (err) {
      this.logger.debug({ err: errorText(err), what }, 'could not flash the window');
    }
  }
}
