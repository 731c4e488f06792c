import { declaredOnce, type KoffiType } from '../../support/koffi-types-adapter';
import type { User32, WindowHandle } from './windows-flash';

type Koffi = typeof import('koffi');

/** Characters of a title read at most (GetWindowTextW truncates, and ours are short). */
const TITLE_CHARS = 512;

/** The user32 types the flash needs. */
export interface User32Types {
  readonly HWND: KoffiType;
  readonly FLASHWINFO: KoffiType;
  /** FlashWindowEx's parameter. */
  readonly PFLASHWINFO: KoffiType;
  readonly WNDENUMPROC: KoffiType;
  /** EnumWindows's parameter: a function pointer (koffi takes a JS function for it). */
  readonly PWNDENUMPROC: KoffiType;
}

/**
 * The declarations, from winuser.h. Named, with a prefix of this module's own: koffi
 * 3.3.4 can give an anonymous struct and an anonymous prototype the same internal name,
 * and then a pointer to the struct comes back as a pointer to the callback; and other
 * code (the Windows typing) may declare its own HWND. BOOL is a 4-byte `int` (koffi's
 * `bool` is one byte), LPARAM is pointer-sized, and `__stdcall` matters on 32-bit Windows
 * only (elsewhere koffi ignores it).
 *
 * koffi keeps a type for the life of the process and refuses a second of the same name,
 * even from a fresh copy of this module (a test runner's): a name already declared is
 * taken as it is.
 */
export function declareUser32Types(koffi: Koffi): User32Types {
  const named = (name: string, declare: () => KoffiType): KoffiType => declaredOnce(koffi, name, declare);
  const HWND = named('ce_attention_HWND', () => koffi.pointer('ce_attention_HWND', koffi.opaque('ce_attention_window')));
  // typedef struct { UINT cbSize; HWND hwnd; DWORD dwFlags; UINT uCount; DWORD dwTimeout; } FLASHWINFO;
  const FLASHWINFO = named('ce_attention_FLASHWINFO', () => koffi.struct('ce_attention_FLASHWINFO', { cbSize: 'uint32_t', hwnd: HWND, dwFlags: 'uint32_t', uCount: 'uint32_t', dwTimeout: 'uint32_t' }));
  // BOOL CALLBACK EnumWindowsProc(HWND hwnd, LPARAM lParam);
  const WNDENUMPROC = named('ce_attention_WNDENUMPROC', () => koffi.proto('__stdcall', 'ce_attention_WNDENUMPROC', 'int', [HWND, 'intptr_t']));
  return { HWND, FLASHWINFO, PFLASHWINFO: koffi.pointer(FLASHWINFO), WNDENUMPROC, PWNDENUMPROC: koffi.pointer(WNDENUMPROC) };
}

let loaded: User32 | undefined;

/**
 * user32.dll through koffi, loaded on the first call (only the Windows path calls this:
 * koffi is required here and nowhere else in the window's agent). `library` is for a
 * check against a stand-in library.
 */
export function loadUser32(library = 'user32.dll'): User32 {
  if (loaded !== undefined && library === 'user32.dll') return loaded;
  const koffi = require('koffi') as Koffi;
  const t = declareUser32Types(koffi);
  const lib = koffi.load(library);
  // BOOL EnumWindows(WNDENUMPROC lpEnumFunc, LPARAM lParam);
  const EnumWindows = lib.func('__stdcall', 'EnumWindows', 'int', [t.PWNDENUMPROC, 'intptr_t']);
  // int GetWindowTextW(HWND hWnd, LPWSTR lpString, int nMaxCount);
  const GetWindowTextW = lib.func('__stdcall', 'GetWindowTextW', 'int', [t.HWND, koffi.out(koffi.pointer('uint16_t')), 'int']);
  // BOOL FlashWindowEx(PFLASHWINFO pfwi);
  const FlashWindowEx = lib.func('__stdcall', 'FlashWindowEx', 'int', [t.PFLASHWINFO]);
  const flashInfoSize = koffi.sizeof(t.FLASHWINFO);

  const user32: User32 = {
    topLevelWindows(limit: number): WindowHandle[] {
      const windows: WindowHandle[] = [];
      // A transient callback: EnumWindows calls it only while it runs, on this thread.
      // Returning 0 stops the enumeration once `limit` windows were seen.
      EnumWindows((hwnd: WindowHandle) => {
        windows.push(hwnd);
        return windows.length < limit ? 1 : 0;
      }, 0);
      return windows;
    },
    windowText(hwnd: WindowHandle): string {
      const buffer = Buffer.alloc(TITLE_CHARS * 2);
      const length = GetWindowTextW(hwnd, buffer, TITLE_CHARS) as number;
      return length > 0 ? buffer.toString('utf16le', 0, Math.min(length, TITLE_CHARS) * 2) : '';
    },
    flash(hwnd: WindowHandle, flags: number): void {
      // The return value is the window's previous state, not success: nothing to check.
      FlashWindowEx({ cbSize: flashInfoSize, hwnd, dwFlags: flags, uCount: 0, dwTimeout: 0 });
    },
  };
  if (library === 'user32.dll') loaded = user32;
  return user32;
}
