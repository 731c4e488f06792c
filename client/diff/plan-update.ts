import type { RawFrame } from '../capture/raw-frame';
import { diffTiles, DEFAULT_TILE_SIZE } from './diff-tiles';
import { mergeTiles } from './merge-tiles';
import { boundingBox, intersectRects, rectArea, type Rect } from './rect';
import type { TileGrid } from './tile-grid';

/** What to send for one captured frame. */
export type UpdatePlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'full'; readonly reason: FullReason }
  | { readonly kind: 'rects'; readonly rects: readonly Rect[] };

/** Why a whole frame is sent: nothing to diff against, the viewer asked, the screen resized, or most of it changed. */
export type FullReason = 'first' | 'requested' | 'resized' | 'large-change';

export interface PlanOptions {
  /** Tile edge in pixels. */
  readonly tileSize: number;
  /** Clean tiles bridged inside a tile row (see MergeOptions). */
  readonly bridgeTiles: number;
  /** More merged rectangles than this and one bounding box is sent instead. */
  readonly maxRects: number;
  /**
   * When the area to send reaches this share of the screen (0..1], the whole frame is sent:
   * one encoder call on contiguous rows is cheaper than many, and the viewer gets a keyframe.
   */
  readonly fullFrameAreaRatio: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = Object.freeze({
  tileSize: DEFAULT_TILE_SIZE,
  bridgeTiles: 1,
  maxRects: 8,
  fullFrameAreaRatio: 0.5,
});

/** Decides what part of `next` to send, given the frame last sent (`prev`). Pure. */
export function planUpdate(prev: RawFrame | undefined, next: RawFrame, options: PlanOptions = DEFAULT_PLAN_OPTIONS): UpdatePlan {
  if (prev === undefined) return { kind: 'full', reason: 'first' };
  // The same frame object: a damage-driven source returns its copy unchanged when nothing was damaged.
  if (prev === next) return { kind: 'none' };
  if (prev.width !== next.width || prev.height !== next.height || prev.channelOrder !== next.channelOrder) {
    return { kind: 'full', reason: 'resized' };
  }
  // A damage-driven frame says where it can differ from the frame before it; when that
  // frame is `prev`, only there is compared.
  const since = next.changedSince;
  const within = since !== undefined && prev.frameId !== undefined && since.previousId === prev.frameId ? since.rects : undefined;
  const grid = diffTiles(prev, next, options.tileSize, within);
  if (grid.dirtyCount === 0) return { kind: 'none' };
  const screenArea = next.width * next.height;
  const fullAt = options.fullFrameAreaRatio * screenArea;
  // Tile count is an upper bound on dirty pixels: decide early without merging.
  if (grid.dirtyCount * options.tileSize * options.tileSize >= fullAt && dirtyArea(grid) >= fullAt) {
    return { kind: 'full', reason: 'large-change' };
  }
  let rects = mergeTiles(grid, { bridgeTiles: options.bridgeTiles });
  if (rects.length > options.maxRects) rects = [boundingBox(rects)!];
  if (within !== undefined) rects = rects.map((rect) => tightenToDamage(rect, within));
  const area = rects.reduce((sum, r) => sum + rectArea(r), 0);
  if (area >= fullAt) return { kind: 'full', reason: 'large-change' };
  return { kind: 'rects', rects };
}

/** Exact pixel area of the dirty tiles (edge tiles are smaller). */
function dirtyArea(grid: TileGrid): number {
  let area = 0;
  for (let row = 0; row < grid.rows; row++) {
    const h = Math.min(grid.height, (row + 1) * grid.tileSize) - row * grid.tileSize;
    for (let col = 0; col < grid.cols; col++) {
      if (grid.dirty[row * grid.cols + col] === 1) area += h * (Math.min(grid.width, (col + 1) * grid.tileSize) - col * grid.tileSize);
    }
  }
  return area;
}

/**
 * `rect` (whole tiles) cut down to the damaged part of it: outside the damage the frame is
 * the one the viewer has, so those pixels need not travel. A 400×300 change spans 512×384
 * of 64-px tiles where it lies (1.6× the pixels to crop, encode, send and decode). The
 * edges stay on 4-pixel steps inside `rect`, so the crop keeps its 32-bit word path.
 */
function tightenToDamage(rect: Rect, damage: readonly Rect[]): Rect {
  const parts = damage.map((d) => intersectRects(rect, d)).filter((r): r is Rect => r !== undefined);
  const box = boundingBox(parts);
  if (box === undefined) return rect;
  const x0 = Math.max(rect.x, box.x - (box.x % 4));
  const x1 = Math.min(rect.x + rect.width, box.x + box.width + ((4 - ((box.x + box.width) % 4)) % 4));
  return { x: x0, y: box.y, width: x1 - x0, height: box.height };
}
