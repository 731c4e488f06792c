import pino from 'pino';
import { windowMessagesFor } from '../app/window-messages';
import { createWindowAttention } from '../window/attention/create-window-attention';
import { APP_WINDOW_TITLES, isAppWindowTitle, MAX_ATTENTION_WINDOWS, NoWindowAttention } from '../window/attention/window-attention';
import { FLASH_UNTIL_FOREGROUND, FlashFlags, WindowsFlashAttention, type User32, type WindowHandle } from '../window/attention/windows-flash';
import { X11WindowAttention } from '../window/attention/x11-attention-adapter';
import {
  card32s, decodeTitle, NET_WM_STATE_ADD, NET_WM_STATE_REMOVE, netWmStateMessage, URGENCY_HINT, withUrgency, WM_HINTS_LENGTH,
} from '../window/attention/x11-hints';

const logger = pino({ level: 'silent' });

// Records whether koffi is ever required (jest hoists this above the imports): the
// factory must not load it, only the first flash on Windows may.
const mockRequired: string[] = [];
jest.mock('koffi', () => {
  mockRequired.push('koffi');
  return {}; // no functions: the flash that loads it fails, and must say so quietly
});

describe('which windows are ours', () => {
  test('the titles are the page\'s own, in both languages', () => {
    expect([...APP_WINDOW_TITLES].sort()).toEqual([windowMessagesFor('es').appName, windowMessagesFor('en').appName].sort());
    expect(APP_WINDOW_TITLES).toContain('CompuEasys Soporte Remoto');
    expect(APP_WINDOW_TITLES).toContain('CompuEasys Remote Support');
  });

  test.each([
    ['CompuEasys Soporte Remoto', true], // Neutralino's window
    ['CompuEasys Remote Support', true],
    ['CompuEasys Soporte Remoto - Chromium', true], // the browser fallback
    ['CompuEasys Remote Support — Mozilla Firefox', true],
    ['CompuEasys · Soporte Remoto', false], // the technician's page
    ['Soporte Remoto', false],
    ['compueasys soporte remoto', false],
    ['', false],
  ])('%j → %s', (title, ours) => {
    expect(isAppWindowTitle(title)).toBe(ours);
  });
});

describe('X11: the urgency hint and the _NET_WM_STATE message', () => {
  test('WM_HINTS gains the urgency flag, every other field kept', () => {
    const hints = [1 | 4, 1, 3, 0x400001, 0, 10, 20, 0x400002, 0x400003]; // InputHint | IconPixmapHint
    expect(withUrgency(hints, true)).toEqual([1 | 4 | URGENCY_HINT, 1, 3, 0x400001, 0, 10, 20, 0x400002, 0x400003]);
    expect(withUrgency(withUrgency(hints, true), false)).toEqual(hints);
  });

  test('a window without WM_HINTS gets nine fields with only the flag; nothing to write when already so', () => {
    expect(withUrgency(undefined, true)).toEqual([URGENCY_HINT, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(withUrgency([], true)).toHaveLength(WM_HINTS_LENGTH);
    expect(withUrgency(undefined, false)).toBeUndefined();
    expect(withUrgency([1, 1], false)).toBeUndefined();
    expect(withUrgency([URGENCY_HINT | 1, 1], true)).toBeUndefined();
    // An older, shorter property is padded; the flag is an unsigned 32-bit value.
    expect(withUrgency([1, 1], true)).toEqual([URGENCY_HINT | 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(withUrgency([0xffffffff], false)![0]).toBe(0xffffffff - URGENCY_HINT);
  });

  test('the client message asks the window manager to add or remove the state, as an application', () => {
    const bytes = netWmStateMessage(0x1200003, 301, NET_WM_STATE_ADD, 302);
    expect(bytes).toHaveLength(32);
    expect(bytes[0]).toBe(33); // ClientMessage
    expect(bytes[1]).toBe(32); // format
    expect(card32s(bytes.subarray(4))).toEqual([0x1200003, 301, NET_WM_STATE_ADD, 302, 0, 1, 0]);
    expect(card32s(netWmStateMessage(7, 301, NET_WM_STATE_REMOVE, 302).subarray(12))).toEqual([0, 302, 0, 1, 0]);
  });

  test('titles: _NET_WM_NAME as UTF-8, WM_NAME as Latin-1', () => {
    expect(decodeTitle(new TextEncoder().encode('Soporte Remoto — Año'), true)).toBe('Soporte Remoto — Año');
    expect(decodeTitle(Uint8Array.of(0x41, 0xf1, 0x6f, 0x80), false)).toBe('A\u00f1o\u0080');
  });

  test('CARD32 properties read little-endian, a trailing partial value ignored', () => {
    expect(card32s(Uint8Array.of(0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 9))).toEqual([256, 0xffffffff]);
  });
});

/** A desktop of named windows standing in for user32, recording every flash. */
function fakeUser32(titles: string[], flashes: [WindowHandle, number][]): User32 & { enumerated: number } {
  const handles = titles.map((_, i) => BigInt(0x10000 + i));
  return {
    enumerated: 0,
    topLevelWindows(limit) {
      this.enumerated++;
      return handles.slice(0, limit);
    },
    windowText: (hwnd) => titles[handles.indexOf(hwnd as bigint)] ?? '',
    flash: (hwnd, flags) => { flashes.push([hwnd, flags]); },
  };
}

describe('Windows: the taskbar flash', () => {
  test('the flag values of winuser.h: flash caption and taskbar until the window comes to the front; stop', () => {
    expect(FlashFlags).toMatchObject({ STOP: 0, CAPTION: 1, TRAY: 2, ALL: 3, TIMER: 4, TIMERNOFG: 12 });
    expect(FLASH_UNTIL_FOREGROUND).toBe(15);
  });

  test('request flashes our windows only; clear stops exactly those', async () => {
    const flashes: [WindowHandle, number][] = [];
    const u = fakeUser32(['Program Manager', 'CompuEasys Soporte Remoto', 'Notas', 'CompuEasys Remote Support - Google Chrome'], flashes);
    const attention = new WindowsFlashAttention(() => u, logger);
    await attention.request();
    expect(flashes).toEqual([[0x10001n, FLASH_UNTIL_FOREGROUND], [0x10003n, FLASH_UNTIL_FOREGROUND]]);
    flashes.length = 0;
    await attention.clear();
    expect(flashes).toEqual([[0x10001n, FlashFlags.STOP], [0x10003n, FlashFlags.STOP]]);
  });

  test('at most a few windows, however many match', async () => {
    const flashes: [WindowHandle, number][] = [];
    const attention = new WindowsFlashAttention(() => fakeUser32(Array(50).fill('CompuEasys Soporte Remoto'), flashes), logger);
    await attention.request();
    expect(flashes).toHaveLength(MAX_ATTENTION_WINDOWS);
  });

  test('never throws: user32 that will not load is tried once; a failing call is swallowed; closed does nothing', async () => {
    let loads = 0;
    const broken = new WindowsFlashAttention(() => { loads++; throw new Error('koffi: cannot load user32.dll'); }, logger);
    await expect(broken.request()).resolves.toBeUndefined();
    await expect(broken.clear()).resolves.toBeUndefined();
    expect(loads).toBe(1);

    const failing = new WindowsFlashAttention(() => ({ topLevelWindows: () => [1n], windowText: () => 'CompuEasys Soporte Remoto', flash: () => { throw new Error('access denied'); } }), logger);
    await expect(failing.request()).resolves.toBeUndefined();

    const flashes: [WindowHandle, number][] = [];
    const u = fakeUser32(['CompuEasys Soporte Remoto'], flashes);
    const closed = new WindowsFlashAttention(() => u, logger);
    closed.close();
    await closed.request();
    expect(flashes).toEqual([]);
    expect(u.enumerated).toBe(0);
  });
});

describe('the way to ask, by platform', () => {
  test('Windows flashes, X11 sets the hint, elsewhere nothing; koffi is loaded by the first flash only', async () => {
    const windows = createWindowAttention({ platform: 'win32', x11Display: undefined, logger });
    expect(windows).toBeInstanceOf(WindowsFlashAttention);
    expect(mockRequired).toEqual([]);
    await expect(windows.request()).resolves.toBeUndefined(); // this koffi has no functions: swallowed
    expect(mockRequired).toEqual(['koffi']);
    expect(createWindowAttention({ platform: 'linux', x11Display: ':0', logger })).toBeInstanceOf(X11WindowAttention);
    const none = [
      createWindowAttention({ platform: 'linux', x11Display: undefined, logger }),
      createWindowAttention({ platform: 'linux', x11Display: '', logger }),
      createWindowAttention({ platform: 'darwin', x11Display: ':0', logger }),
    ];
    for (const attention of none) {
      expect(attention).toBeInstanceOf(NoWindowAttention);
      await expect(attention.request()).resolves.toBeUndefined();
      await expect(attention.clear()).resolves.toBeUndefined();
      attention.close();
    }
  });

  test('without a way to ask, it says so once, at debug', async () => {
    const lines: string[] = [];
    const recorder = pino({ level: 'debug' }, { write: (line: string) => { lines.push(line); } });
    const attention = new NoWindowAttention(recorder, 'no X11 display');
    await attention.request();
    await attention.request();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 20, why: 'no X11 display' });
  });
});
