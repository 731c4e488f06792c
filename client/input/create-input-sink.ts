import type { Logger } from 'pino';
import type { InputSink } from './input-sink';

export interface InputSinkOptions {
  /** The X display (DISPLAY) on Linux; absent elsewhere. */
  readonly x11Display: string | undefined;
  readonly platform: NodeJS.Platform;
  readonly logger?: Logger;
}

/**
 * The real mouse and keyboard. On X11 text goes through the XTest typer, which types
 * characters missing from the keymap too; elsewhere nut-js types Unicode natively.
 * The native modules are loaded here, lazily, so nothing else pulls them in.
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
  return new NutJsInputSink();
}
