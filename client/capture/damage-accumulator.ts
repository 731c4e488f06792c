import { boundingBox, type Rect } from '../diff/rect';

/**
 * The damaged rectangles of one batch, bounded: a busy screen sends thousands of small
 * DamageNotify rectangles a second (every glyph of a scrolling terminal), and neither the
 * list nor the requests made from it may grow with them. Beyond `maxRects` the batch
 * collapses to its bounding box (one larger read is cheaper than many tiny ones, and the
 * tile comparison later drops what did not really change). Pure: unit-tested.
 */
export class DamageAccumulator {
  private rects: Rect[] = [];
  private lostTrack = false;

  constructor(private readonly maxRects = 32) {
    if (!Number.isInteger(maxRects) || maxRects < 1) throw new RangeError(`maxRects must be ≥ 1, got ${maxRects}`);
  }

  /** True when something was added (or track was lost) since the last take(). */
  get pending(): boolean {
    return this.lostTrack || this.rects.length > 0;
  }

  /** Adds one damaged rectangle; empty ones are ignored, ones inside another are dropped. */
  add(rect: Rect): void {
    if (this.lostTrack || rect.width <= 0 || rect.height <= 0) return;
    if (this.rects.some((r) => contains(r, rect))) return;
    this.rects = this.rects.filter((r) => !contains(rect, r));
    this.rects.push(rect);
    if (this.rects.length > this.maxRects) this.rects = [boundingBox(this.rects)!];
  }

  /** The next take() answers `'all'` (resize, overflow, an error): the caller grabs everything. */
  loseTrack(): void {
    this.lostTrack = true;
    this.rects = [];
  }

  /** The batch so far, clipped to a `width`×`height` screen; starts a new one. */
  take(width: number, height: number): readonly Rect[] | 'all' {
    const lost = this.lostTrack;
    const rects = this.rects;
    this.lostTrack = false;
    this.rects = [];
    if (lost) return 'all';
    return rects.map((r) => clip(r, width, height)).filter((r): r is Rect => r !== undefined);
  }
}

function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y
    && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** The part of `rect` on a `width`×`height` screen, or undefined when none is. */
export function clip(rect: Rect, width: number, height: number): Rect | undefined {
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(width, rect.x + rect.width);
  const y1 = Math.min(height, rect.y + rect.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}
