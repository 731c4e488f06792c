import { declareUser32Types } from '../window/attention/user32-adapter';

// The same module object the adapter requires (an `import` would hand over a copy).
const koffi = require('koffi') as typeof import('koffi');

/**
 * The user32 declarations, checked by the real koffi on this machine (types only:
 * user32.dll itself is Windows'). The struct's layout is the same on every 64-bit
 * Windows, so a wrong field type shows here.
 */
describe('user32 declarations for the taskbar flash', () => {
  test('FLASHWINFO has winuser.h\'s layout: 32 bytes on 64-bit, the handle pointer-aligned', () => {
    const { FLASHWINFO } = declareUser32Types(koffi);
    const pointer = koffi.sizeof('void *');
    const offsets = Object.fromEntries(Object.values(FLASHWINFO.members!).map((m) => [m.name, m.offset]));
    expect(offsets).toEqual({ cbSize: 0, hwnd: pointer, dwFlags: 2 * pointer, uCount: 2 * pointer + 4, dwTimeout: 2 * pointer + 8 });
    expect(koffi.sizeof(FLASHWINFO)).toBe(pointer === 8 ? 32 : 20);
  });

  test('the callback returns a 4-byte BOOL and takes a handle and a pointer-sized LPARAM', () => {
    const proto = declareUser32Types(koffi).WNDENUMPROC.proto!;
    expect(proto.result.size).toBe(4);
    // koffi 3 lists each argument as { type, direction } (its typings say the type alone).
    const sizes = (proto.arguments as unknown as { type: { size: number } }[]).map((a) => a.type.size);
    expect(sizes).toEqual([koffi.sizeof('void *'), koffi.sizeof('void *')]);
  });

  test('the functions\' pointer parameters point where they should (anonymous koffi types once collided here)', () => {
    const t = declareUser32Types(koffi);
    // FlashWindowEx takes a FLASHWINFO *: marshalled from an object, not taken for a callback.
    expect(t.PFLASHWINFO).toMatchObject({ primitive: 'Pointer', ref: { primitive: 'Record', size: t.FLASHWINFO.size } });
    expect(t.PWNDENUMPROC).toMatchObject({ primitive: 'Callback' });
    expect(t.HWND).toMatchObject({ primitive: 'Pointer' });
  });

  test('declaring again, even from a fresh copy of the module, neither throws nor makes new types', () => {
    const first = declareUser32Types(koffi);
    let fresh: typeof declareUser32Types | undefined;
    jest.isolateModules(() => { fresh = (require('../window/attention/user32-adapter') as typeof import('../window/attention/user32-adapter')).declareUser32Types; });
    expect(fresh).not.toBe(declareUser32Types);
    for (const again of [declareUser32Types(koffi), fresh!(koffi)]) {
      for (const key of Object.keys(first) as (keyof typeof first)[]) expect(again[key]).toBe(first[key]);
    }
  });
});
