import { decodeBase64Url } from './base64url';
import { MAX_CURSOR_SIZE, type CursorShapeMessage } from './messages';

/** A cursor shape whose size and pixels were checked: what a page may draw. */
export interface CursorImage {
  readonly id: number;
  readonly width: number;
  readonly height: number;
  readonly hotX: number;
  readonly hotY: number;
  /** width × height × 4 bytes, RGBA, straight alpha. */
  readonly rgba: Uint8Array;
}

export type CursorImageResult =
  | { readonly ok: true; readonly image: CursorImage }
  | { readonly ok: false; readonly detail: string };

/**
 * Checks a `cursor-shape` beyond its members' types: at most MAX_CURSOR_SIZE pixels each
 * way, the hotspot inside the shape, and exactly width × height × 4 bytes of canonical
 * base64url. Never throws; the detail is safe to show (it echoes no pixels).
 */
export function decodeCursorImage(message: CursorShapeMessage): CursorImageResult {
  const { id, width, height, hotX, hotY } = message;
  if (width < 1 || height < 1) return { ok: false, detail: `cursor shape ${id}: empty (${width}×${height})` };
  if (width > MAX_CURSOR_SIZE || height > MAX_CURSOR_SIZE) {
    return { ok: false, detail: `cursor shape ${id}: ${width}×${height} is larger than ${MAX_CURSOR_SIZE}×${MAX_CURSOR_SIZE}` };
  }
  if (hotX < 0 || hotY < 0 || hotX >= width || hotY >= height) return { ok: false, detail: `cursor shape ${id}: hotspot outside the shape` };
  const rgba = decodeBase64Url(message.rgba);
  if (rgba === undefined) return { ok: false, detail: `cursor shape ${id}: pixels are not base64url` };
  if (rgba.length !== width * height * 4) {
    return { ok: false, detail: `cursor shape ${id}: ${rgba.length} bytes of pixels, expected ${width * height * 4}` };
  }
  return { ok: true, image: { id, width, height, hotX, hotY, rgba } };
}

/**
 * Remembers the last `capacity` shapes, oldest out first. The agent and the page each keep
 * one, fed with the same shapes in the same order (sealed text is never dropped or
 * reordered), so the agent knows exactly which shapes the page still has.
 */
export class CursorShapeCache<T> {
  private readonly entries = new Map<number, T>();

  constructor(private readonly capacity: number) {}

  has(id: number): boolean {
    return this.entries.has(id);
  }

  get(id: number): T | undefined {
    return this.entries.get(id);
  }

  /** Adds (or replaces, as newest) a shape; drops the oldest beyond the capacity. */
  add(id: number, value: T): void {
    this.entries.delete(id);
    this.entries.set(id, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
