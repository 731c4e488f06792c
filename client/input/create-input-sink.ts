import type { Logger } from 'pino';
import type { InputSink } from './input-sink';

export interface InputSinkOptions {
  /** The X display (DISPLAY) on Linux; absent elsewhere. */
  readonly x11Display: string | undefined;
  readonly platform: NodeJS.Platform;
  readonly logger?: Logger;
}

/**
 * The real mouse and keyboard. Text goes through a typer that sends characters, not key
 * bytes (it types characters missing from the keyboard layout too):
 *
 * - on X11, XTest over the pure-JavaScript `x11` package for everything (X11InputSink):
 *   nut-js is then never loaded on the agent's main thread, which saves about 16 MiB;
 * - on Windows, nut-js with SendInput KEYEVENTF_UNICODE for text (libnut-win32 cuts each
 *   character to one byte);
 * - on macOS, and on X11 if XTest cannot be reached, nut-js alone.
 *
 * The native modules are loaded here, lazily, so nothing else pulls them in.
 */
export async function createInputSink(options: InputSinkOptions): Promise<InputSink> {
  if (options.platform === 'linux' && options.x11Display) {
    try {
      const { X11InputSink } = await import('./x11-input-adapter');
      return await X11InputSink.open(options.x11Display);
    } catch (err) {
      options.logger?.warn({ err: err instanceof Error ? err.message : String(err) },
        'XTest unavailable; input goes through nut-js, and characters missing from the keymap may be lost');
    }
  }
  const { NutJsInputSink } = await import('./nut-js-input-adapter');
  if (options.platform === 'win32') {
    try {
      const { WindowsTextTyper } = await import('./windows-text-typer-adapter');
      return new NutJsInputSink(await WindowsTextTyper.open());
    } catch (err) {
      options.logger?.warn({ err: err instanceof Error ? err.message : String(err) },
        'Windows text typer unavailable; characters outside the keyboard layout may be lost');
    }
  }
  return new NutJsInputSink();
}
