import { declaredOnce } from '../support/koffi-types-adapter';
import type { TextTyper } from './text-typer';
import { INPUT_KEYBOARD, unicodeKeyEvents } from './unicode-key-events';

/** Events per SendInput call: Windows takes them as one uninterrupted run, and a long paste stays bounded. */
const EVENTS_PER_CALL = 64;

type SendInputFn = (count: number, inputs: unknown[], size: number) => number;

/**
 * Types text on Windows with SendInput and KEYEVENTF_UNICODE, through koffi (prebuilt, no
 * compiler on the customer's machine). libnut-win32 (nut-js's Windows keyboard) cuts each
 * character to one byte before pressing keys, so "año € 日本" arrived as "ao  " under Wine;
 * characters sent as characters arrive whole. Shortcuts still go through nut-js as
 * physical keys (NutJsInputSink.pressKey).
 */
export class WindowsTextTyper implements TextTyper {
  private constructor(
    private readonly sendInput: SendInputFn,
    private readonly inputSize: number,
  ) {}

  static async open(): Promise<WindowsTextTyper> {
    const { default: koffi } = await import('koffi');
    const user32 = koffi.load('user32.dll');
    // winuser.h; the union is as big as its largest member (MOUSEINPUT), as SendInput's cbSize
    // requires. Named types are process-wide in koffi: declared once (declaredOnce).
    const MOUSEINPUT = declaredOnce(koffi, 'RS_MOUSEINPUT', () => koffi.struct('RS_MOUSEINPUT', {
      dx: 'long', dy: 'long', mouseData: 'uint32_t', dwFlags: 'uint32_t', time: 'uint32_t', dwExtraInfo: 'uintptr_t',
    }));
    const KEYBDINPUT = declaredOnce(koffi, 'RS_KEYBDINPUT', () => koffi.struct('RS_KEYBDINPUT', {
      wVk: 'uint16_t', wScan: 'uint16_t', dwFlags: 'uint32_t', time: 'uint32_t', dwExtraInfo: 'uintptr_t',
    }));
    const HARDWAREINPUT = declaredOnce(koffi, 'RS_HARDWAREINPUT', () => koffi.struct('RS_HARDWAREINPUT', { uMsg: 'uint32_t', wParamL: 'uint16_t', wParamH: 'uint16_t' }));
    const INPUT_UNION = declaredOnce(koffi, 'RS_INPUT_UNION', () => koffi.union('RS_INPUT_UNION', { mi: MOUSEINPUT, ki: KEYBDINPUT, hi: HARDWAREINPUT }));
    const INPUT = declaredOnce(koffi, 'RS_INPUT', () => koffi.struct('RS_INPUT', { type: 'uint32_t', u: INPUT_UNION }));
    const sendInput = user32.func('unsigned int __stdcall SendInput(unsigned int cInputs, RS_INPUT *pInputs, int cbSize)') as SendInputFn;
    return new WindowsTextTyper(sendInput, koffi.sizeof(INPUT));
  }

  async type(text: string): Promise<void> {
    const inputs = unicodeKeyEvents(text).map((e) => ({
      type: INPUT_KEYBOARD,
      u: { ki: { wVk: 0, wScan: e.unit, dwFlags: e.flags, time: 0, dwExtraInfo: 0 } },
    }));
    for (let i = 0; i < inputs.length; i += EVENTS_PER_CALL) {
      const run = inputs.slice(i, i + EVENTS_PER_CALL);
      // SendInput returns how many it inserted; fewer means another program's input (UIPI) blocked it.
      const sent = this.sendInput(run.length, run, this.inputSize);
      if (sent !== run.length) throw new Error(`SendInput inserted ${sent} of ${run.length} key events (blocked by a window with higher privileges?)`);
      // Let the target's message loop take them before the next run.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    // Nothing held: user32 stays loaded for the process.
  }
}
