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
 * bytes: on X11 the XTest typer (it types characters missing from the keymap too), on
 * Windows SendInput with KEYEVENTF_UNICODE (libnut-win32 cuts each character to one
 * byte). On macOS nut-js types text itself. The native modules are loaded here, lazily,
 * so nothing else pulls them in.
 */
export async function createInputSink(options: InputSinkOptions): Promise<InputSink> {
  const { NutJsInputSink } = await import('./nut-js-input-adapter');
  if (options.platform === 'linux' && options.x11Display) {
    try {
      const { X11TextTyper } = await import('./x11-text-typer-adapter');
      return new NutJsInputSink(await X11TextTyper.open(options.x11Display));
    } catch (err) {
      options.logger?.warn({ err: err instanceof Error ? err.message : String(err) },
        'X11 text typer unavailable; characters missing from the keymap may be lost');
    }
  }
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
