import { ClipboardTooLong, type SystemClipboard } from './clipboard';

/** Clipboard format of UTF-16 text with a terminating NUL (winuser.h). */
const CF_UNICODETEXT = 13;
/** GlobalAlloc flag: movable memory, which the clipboard takes over (winbase.h). */
const GMEM_MOVEABLE = 0x0002;
/** The parent of a message-only window (winuser.h: (HWND)-3). */
const HWND_MESSAGE = -3;
/** Another program may hold the clipboard open for a moment: this many tries, this far apart. */
const OPEN_TRIES = 20;
const OPEN_RETRY_MS = 10;
/** How often the clipboard's sequence number is read while a technician follows it. */
const CHANGE_POLL_MS = 500;

type Fn = (...args: unknown[]) => unknown;

/**
 * The Windows clipboard (text), through koffi: CF_UNICODETEXT in global memory, as every
 * Windows program pastes it. The clipboard needs an owner window for SetClipboardData to
 * stick, so the agent makes a message-only window of the STATIC class (no message loop
 * is needed: the text is handed over at once, never rendered later). Changes are read from
 * GetClipboardSequenceNumber, polled only while a technician follows the clipboard.
 */
export class WindowsClipboard implements SystemClipboard {
  readonly name = 'win32-clipboard';
  private readonly listeners = new Set<() => void>();
  private poller: ReturnType<typeof setInterval> | undefined;
  private lastSequence = 0;

  private constructor(
    /** koffi's view of native memory (an ArrayBuffer over it, no copy). */
    private readonly memoryView: (pointer: unknown, length: number) => ArrayBuffer,
    private readonly api: Record<string, Fn>,
    private readonly owner: unknown,
  ) {}

  static async open(): Promise<WindowsClipboard> {
    const { default: koffi } = await import('koffi');
    const user32 = koffi.load('user32.dll');
    const kernel32 = koffi.load('kernel32.dll');
    const api: Record<string, Fn> = {
      CreateWindowExW: user32.func('void * __stdcall CreateWindowExW(uint32_t exStyle, str16 className, str16 windowName, uint32_t style, int x, int y, int w, int h, intptr_t parent, void *menu, void *instance, void *param)') as Fn,
      DestroyWindow: user32.func('int __stdcall DestroyWindow(void *hwnd)') as Fn,
      OpenClipboard: user32.func('int __stdcall OpenClipboard(void *hwnd)') as Fn,
      CloseClipboard: user32.func('int __stdcall CloseClipboard()') as Fn,
      EmptyClipboard: user32.func('int __stdcall EmptyClipboard()') as Fn,
      GetClipboardData: user32.func('void * __stdcall GetClipboardData(uint32_t format)') as Fn,
      SetClipboardData: user32.func('void * __stdcall SetClipboardData(uint32_t format, void *mem)') as Fn,
      GetClipboardSequenceNumber: user32.func('uint32_t __stdcall GetClipboardSequenceNumber()') as Fn,
      GlobalAlloc: kernel32.func('void * __stdcall GlobalAlloc(uint32_t flags, uintptr_t bytes)') as Fn,
      GlobalFree: kernel32.func('void * __stdcall GlobalFree(void *mem)') as Fn,
      GlobalLock: kernel32.func('void * __stdcall GlobalLock(void *mem)') as Fn,
      GlobalUnlock: kernel32.func('int __stdcall GlobalUnlock(void *mem)') as Fn,
      GlobalSize: kernel32.func('uintptr_t __stdcall GlobalSize(void *mem)') as Fn,
    };
    const owner = api.CreateWindowExW!(0, 'STATIC', 'CompuEasys clipboard', 0, 0, 0, 0, 0, HWND_MESSAGE, null, null, null);
    if (owner === null) throw new Error('could not make a window to own the clipboard');
    return new WindowsClipboard((pointer, length) => koffi.view(pointer, length), api, owner);
  }

  async readText(maxBytes: number): Promise<string> {
    // A UTF-8 byte bound as a UTF-16 one: every unit is at most 3 bytes of UTF-8.
    const maxUnits = Math.floor(maxBytes / 3);
    return this.withClipboard(() => {
      const handle = this.api.GetClipboardData!(CF_UNICODETEXT);
      if (handle === null) return ''; // no text in the clipboard
      const size = Number(this.api.GlobalSize!(handle));
      if (size / 2 - 1 > maxUnits) throw new ClipboardTooLong('the clipboard holds more text than a session carries');
      const pointer = this.api.GlobalLock!(handle);
      if (pointer === null) throw new Error('the clipboard text could not be read');
      let units: Uint16Array;
      try {
        // A copy: the memory is the clipboard's, and only until it is unlocked.
        units = new Uint16Array(this.memoryView(pointer, size - (size % 2)).slice(0));
      } finally {
        this.api.GlobalUnlock!(handle);
      }
      const end = units.indexOf(0);
      return new TextDecoder('utf-16le').decode(end < 0 ? units : units.subarray(0, end));
    });
  }

  async writeText(text: string): Promise<void> {
    await this.withClipboard(() => {
      const bytes = (text.length + 1) * 2;
      const memory = this.api.GlobalAlloc!(GMEM_MOVEABLE, bytes);
      if (memory === null) throw new Error('no memory for the clipboard text');
      const pointer = this.api.GlobalLock!(memory);
      if (pointer === null) {
        this.api.GlobalFree!(memory);
        throw new Error('the clipboard memory could not be locked');
      }
      const units = new Uint16Array(this.memoryView(pointer, bytes));
      for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
      units[text.length] = 0;
      this.api.GlobalUnlock!(memory);
      this.api.EmptyClipboard!();
      // Taken over by the system when it succeeds; ours to free when it does not.
      if (this.api.SetClipboardData!(CF_UNICODETEXT, memory) === null) {
        this.api.GlobalFree!(memory);
        throw new Error('the clipboard refused the text');
      }
    });
    this.lastSequence = Number(this.api.GetClipboardSequenceNumber!());
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.poller === undefined) {
      this.lastSequence = Number(this.api.GetClipboardSequenceNumber!());
      this.poller = setInterval(() => {
        const sequence = Number(this.api.GetClipboardSequenceNumber!());
        if (sequence === this.lastSequence) return;
        this.lastSequence = sequence;
        for (const l of [...this.listeners]) l();
      }, CHANGE_POLL_MS);
      this.poller.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.poller !== undefined) {
        clearInterval(this.poller);
        this.poller = undefined;
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.poller !== undefined) clearInterval(this.poller);
    this.poller = undefined;
    this.api.DestroyWindow!(this.owner);
  }

  /** Runs `work` with the clipboard open (retrying while another program holds it), closing it after. */
  private async withClipboard<T>(work: () => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.api.OpenClipboard!(this.owner) !== 0) break;
      if (attempt + 1 >= OPEN_TRIES) throw new Error('another program keeps the clipboard open');
      await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_MS));
    }
    try {
      return work();
    } finally {
      this.api.CloseClipboard!();
    }
  }
}
