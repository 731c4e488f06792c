import { encodeBase64Url } from '../base64url';
import { CursorShapeCache, decodeCursorImage } from '../cursor';
import { MAX_CURSOR_SIZE, type CursorShapeMessage } from '../messages';

function shape(width: number, height: number, hotX = 0, hotY = 0, bytes = width * height * 4): CursorShapeMessage {
  const rgba = new Uint8Array(Math.max(bytes, 0));
  for (let i = 0; i < rgba.length; i++) rgba[i] = i & 0xff;
  return { type: 'cursor-shape', id: 9, width, height, hotX, hotY, rgba: encodeBase64Url(rgba) };
}

describe('decodeCursorImage', () => {
  it('gives back the pixels of a shape up to the largest size', () => {
    const result = decodeCursorImage(shape(MAX_CURSOR_SIZE, MAX_CURSOR_SIZE, 63, 0));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.image).toMatchObject({ id: 9, width: 64, height: 64, hotX: 63, hotY: 0 });
    expect(result.image.rgba.length).toBe(64 * 64 * 4);
    expect(result.image.rgba[5]).toBe(5);
  });

  it.each([
    ['too wide', shape(MAX_CURSOR_SIZE + 1, 8), /65×8 is larger than 64×64/],
    ['too tall', shape(8, 1000, 0, 0, 16), /8×1000 is larger/],
    ['empty', shape(0, 8, 0, 0, 0), /empty/],
    ['a hotspot outside', shape(8, 8, 8, 0), /hotspot outside/],
    ['a negative hotspot', shape(8, 8, 0, -1), /hotspot outside/],
    ['too few bytes', shape(8, 8, 0, 0, 8 * 8 * 4 - 1), /255 bytes of pixels, expected 256/],
    ['too many bytes', shape(8, 8, 0, 0, 8 * 8 * 4 + 4), /260 bytes of pixels/],
    ['pixels that are not base64url', { ...shape(1, 1), rgba: 'AA+A/w' }, /not base64url/],
  ] as const)('refuses a shape with %s, saying why', (_what, message, detail) => {
    const result = decodeCursorImage(message);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toMatch(detail);
  });
});

describe('CursorShapeCache', () => {
  it('keeps the last shapes, oldest out first, the same on both sides', () => {
    const agent = new CursorShapeCache<true>(3);
    const page = new CursorShapeCache<string>(3);
    for (const id of [1, 2, 3, 1, 4]) {
      if (!agent.has(id)) {
        agent.add(id, true);
        page.add(id, `shape ${id}`); // what the agent sent, in order
      }
    }
    // 1 was still there when used again, so not sent again; 4 pushed the oldest (1) out.
    expect([1, 2, 3, 4].map((id) => agent.has(id))).toEqual([false, true, true, true]);
    expect([1, 2, 3, 4].map((id) => page.get(id))).toEqual([undefined, 'shape 2', 'shape 3', 'shape 4']);
    expect(page.size).toBe(3);
  });
});
