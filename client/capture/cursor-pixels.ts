import { MAX_CURSOR_SIZE } from '../../protocol';

/** A cursor image as X hands it over: 32-bit ARGB words, premultiplied alpha. */
export interface ArgbCursorImage {
  readonly width: number;
  readonly height: number;
  readonly hotX: number;
  readonly hotY: number;
  /** width × height little-endian words (bytes B, G, R, A), premultiplied. */
  readonly argb: Uint8Array;
}

export interface RgbaCursorImage {
  readonly width: number;
  readonly height: number;
  readonly hotX: number;
  readonly hotY: number;
  /** RGBA, straight alpha. */
  readonly rgba: Uint8Array;
}

/**
 * Turns XFixes' premultiplied little-endian ARGB into straight RGBA, as the protocol sends
 * it, and shrinks a shape larger than MAX_CURSOR_SIZE (a big-pointer theme) by a whole
 * factor, taking every n-th pixel and moving the hotspot with it.
 */
export function argbToRgbaCursor(image: ArgbCursorImage): RgbaCursorImage {
  const factor = Math.max(1, Math.ceil(Math.max(image.width, image.height) / MAX_CURSOR_SIZE));
  const width = Math.max(1, Math.floor(image.width / factor));
  const height = Math.max(1, Math.floor(image.height / factor));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = ((y * factor) * image.width + x * factor) * 4;
      const to = (y * width + x) * 4;
      const b = image.argb[from] ?? 0;
      const g = image.argb[from + 1] ?? 0;
      const r = image.argb[from + 2] ?? 0;
      const a = image.argb[from + 3] ?? 0;
      if (a === 0) continue; // fully transparent: zeros
      rgba[to] = Math.min(255, Math.round((r * 255) / a));
      rgba[to + 1] = Math.min(255, Math.round((g * 255) / a));
      rgba[to + 2] = Math.min(255, Math.round((b * 255) / a));
      rgba[to + 3] = a;
    }
  }
  const hotX = Math.min(width - 1, Math.floor(image.hotX / factor));
  const hotY = Math.min(height - 1, Math.floor(image.hotY / factor));
  return { width, height, hotX, hotY, rgba };
}
