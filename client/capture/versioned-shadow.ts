import { intersectRects, type Rect } from '../diff/rect';
import type { PixelRegion, RawFrame } from './raw-frame';

/**
 * The screen as a damage-driven source knows it: ONE full-frame buffer, written in place
 * as damaged rectangles are read, and handed out as frames that stay what they were.
 *
 * Why: copying the 8 MB buffer per damaged grab (what kept frames immutable before) took
 * about half the agent's main-thread time in a 400×300 region scene, counting the garbage
 * collection of those copies (BENCHMARKS.md, "agent CPU per update").
 *
 * How frames stay immutable: each paste first saves what the rectangles held (the pixels
 * of the frame before, a few hundred kB for a window-sized change) in a {@link Change}
 * that frames made earlier reach through a chain. Reading an older frame takes the live
 * pixels and undoes, newest first, the changes made since. The newest frame, which is
 * what the streamer diffs and encodes almost always, reads the live buffer without a copy.
 * Memory follows the frames: a change is freed with the last frame that reaches it, so
 * nothing here depends on when (or whether) the garbage collector runs.
 *
 * Reading `data` of such a frame builds (once) a full copy, for code that wants the whole
 * buffer; the diff and the crops read through {@link regionPixels} instead.
 */
export class VersionedShadow {
  private live: LiveBuffer | undefined;
  private tail: Change | undefined;
  private newest: RawFrame | undefined;

  /** The last frame made, or undefined before the first {@link reset}. */
  get frame(): RawFrame | undefined {
    return this.newest;
  }

  /**
   * Starts again from a whole frame read from the display and takes its buffer over (it
   * is written in place from now on: a full-frame source hands out a new buffer per grab).
   * Frames made before keep their own buffer, never written again.
   */
  reset(full: RawFrame, frameId: number): RawFrame {
    this.live = { data: full.data, width: full.width, height: full.height, stride: full.stride, channelOrder: full.channelOrder };
    this.tail = {};
    this.newest = versionedFrame(this.live, this.tail, frameId, undefined);
    return this.newest;
  }

  /**
   * Writes `regions` (frames of the rectangles' sizes, any channel order) at `rects` and
   * returns the new frame, which says it differs from the one before only there. Takes the
   * regions' buffers over: where it can, a region's own buffer keeps what it replaced.
   */
  paste(rects: readonly Rect[], regions: readonly RawFrame[], frameId: number): RawFrame {
    const live = this.live;
    const base = this.newest;
    const tail = this.tail;
    if (live === undefined || base === undefined || tail === undefined) throw new Error('versioned shadow: paste before reset');
    const before: Uint8Array[] = [];
    const swapped = rects.map((rect, i) => canSwap(live, rect, regions[i]!) && rects.every((other, j) => j === i || intersectRects(rect, other) === undefined));
    // Copies first, all before any write: overlapping rectangles then all save the old frame's pixels.
    for (const [i, rect] of rects.entries()) if (!swapped[i]) before[i] = copyOut(live.data, live.stride, rect);
    for (const [i, rect] of rects.entries()) {
      if (swapped[i]) before[i] = swapInto(live, rect, regions[i]!);
      else pasteInto(live, rect, regions[i]!);
    }
    const next: Change = {};
    tail.undo = { rects, before };
    tail.next = next;
    this.tail = next;
    this.newest = versionedFrame(live, next, frameId, { previousId: base.frameId!, rects });
    return this.newest;
  }
}

/** The buffer written in place, with its geometry. */
interface LiveBuffer {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly stride: number;
  readonly channelOrder: RawFrame['channelOrder'];
}

/**
 * One paste into the live buffer, seen from the frames made before it: what the pasted
 * rectangles held (tightly packed, `width × 4` bytes a row) and the change after this one.
 * Empty (no `undo`) until the paste happens; the newest frame points at an empty one.
 */
interface Change {
  undo?: { readonly rects: readonly Rect[]; readonly before: readonly Uint8Array[] };
  next?: Change;
}

function versionedFrame(live: LiveBuffer, after: Change, frameId: number, changedSince: RawFrame['changedSince']): RawFrame {
  let whole: Uint8Array | undefined;
  const frame: RawFrame = {
    width: live.width,
    height: live.height,
    stride: live.stride,
    channelOrder: live.channelOrder,
    frameId,
    ...(changedSince !== undefined ? { changedSince } : {}),
    // An own, enumerable getter: a spread copy, structuredClone or postMessage of the frame
    // gets the pixels too (built once, 8 MB at 1080p).
    get data(): Uint8Array {
      whole ??= materialize(live, after);
      return whole;
    },
  };
  // Not enumerable: copies and clones of the frame (a function cannot be posted to a worker)
  // leave it out and read `data`, which stays right whatever the shadow does later.
  Object.defineProperty(frame, 'region', { value: (rect: Rect) => readRegion(live, after, rect), enumerable: false });
  return frame;
}

/** The undo records made since `after`'s frame, oldest first. */
function changesSince(after: Change): { readonly rects: readonly Rect[]; readonly before: readonly Uint8Array[] }[] {
  const undos = [];
  for (let c: Change | undefined = after; c?.undo !== undefined; c = c.next) undos.push(c.undo);
  return undos;
}

function readRegion(live: LiveBuffer, after: Change, rect: Rect): PixelRegion {
  const touching = changesSince(after).filter((u) => u.rects.some((r) => intersectRects(r, rect) !== undefined));
  if (touching.length === 0) return { data: live.data, stride: live.stride, x: 0, y: 0 };
  if (touching.length === 1) {
    // The usual read of the frame before the newest (the diff's `prev`, inside the newest
    // damage): the saved pixels of one pasted rectangle hold it whole, as they are.
    const { rects, before } = touching[0]!;
    const j = rects.findIndex((r) => contains(r, rect));
    if (j >= 0) return { data: before[j]!, stride: rects[j]!.width * 4, x: rects[j]!.x, y: rects[j]!.y };
  }
  const region: PixelRegion = { data: copyOut(live.data, live.stride, rect), stride: rect.width * 4, x: rect.x, y: rect.y };
  undo(region, rect, touching);
  return region;
}

function materialize(live: LiveBuffer, after: Change): Uint8Array {
  const data = live.data.slice();
  undo({ data, stride: live.stride, x: 0, y: 0 }, { x: 0, y: 0, width: live.width, height: live.height }, changesSince(after));
  return data;
}

/** Restores, newest first, what each change overwrote inside `area` of `target`. */
function undo(target: PixelRegion, area: Rect, undos: readonly { readonly rects: readonly Rect[]; readonly before: readonly Uint8Array[] }[]): void {
  for (let i = undos.length - 1; i >= 0; i--) {
    const { rects, before } = undos[i]!;
    for (const [j, rect] of rects.entries()) {
      const common = intersectRects(rect, area);
      if (common === undefined) continue;
      const saved = before[j]!;
      const savedStride = rect.width * 4;
      const rowBytes = common.width * 4;
      for (let y = common.y; y < common.y + common.height; y++) {
        const src = (y - rect.y) * savedStride + (common.x - rect.x) * 4;
        target.data.set(saved.subarray(src, src + rowBytes), (y - target.y) * target.stride + (common.x - target.x) * 4);
      }
    }
  }
}

function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y
    && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** `rect` of a buffer, tightly packed. */
function copyOut(data: Uint8Array, stride: number, rect: Rect): Uint8Array {
  const rowBytes = rect.width * 4;
  const out = new Uint8Array(rowBytes * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const src = (rect.y + y) * stride + rect.x * 4;
    out.set(data.subarray(src, src + rowBytes), y * rowBytes);
  }
  return out;
}

/** The region's buffer can take the live pixels it replaces: same order, rows packed tightly, nothing else pasted over it. */
function canSwap(live: LiveBuffer, rect: Rect, region: RawFrame): boolean {
  return region.channelOrder === live.channelOrder && region.width === rect.width && region.height === rect.height
    && region.stride === rect.width * 4;
}

/**
 * Exchanges the pixels of `rect` in the live buffer with those of `region`, row by row, and
 * returns the region's buffer, which now holds what the live buffer had: the record a paste
 * keeps, without allocating one of its size per damaged grab (every allocation of that size
 * counts towards the garbage collections the region scene spent ~0.9 s in over 15 s).
 */
function swapInto(live: LiveBuffer, rect: Rect, region: RawFrame): Uint8Array {
  const rowBytes = rect.width * 4;
  const row = new Uint8Array(rowBytes);
  const saved = region.data.subarray(0, rowBytes * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const at = (rect.y + y) * live.stride + rect.x * 4;
    const mine = saved.subarray(y * rowBytes, (y + 1) * rowBytes);
    row.set(live.data.subarray(at, at + rowBytes));
    live.data.set(mine, at);
    mine.set(row);
  }
  return saved;
}

/** Copies `region` (a frame of `rect`'s size) into the live buffer at `rect`, converting channel order if they differ. */
function pasteInto(live: LiveBuffer, rect: Rect, region: RawFrame): void {
  if (region.width !== rect.width || region.height !== rect.height) {
    throw new RangeError(`region is ${region.width}x${region.height}, expected ${rect.width}x${rect.height}`);
  }
  const rowBytes = rect.width * 4;
  const swap = region.channelOrder !== live.channelOrder;
  const src = region.data;
  const dst = live.data;
  for (let y = 0; y < rect.height; y++) {
    const from = y * region.stride;
    const to = (rect.y + y) * live.stride + rect.x * 4;
    if (!swap) {
      dst.set(src.subarray(from, from + rowBytes), to);
      continue;
    }
    for (let i = 0; i < rowBytes; i += 4) {
      dst[to + i] = src[from + i + 2]!;
      dst[to + i + 1] = src[from + i + 1]!;
      dst[to + i + 2] = src[from + i]!;
      dst[to + i + 3] = src[from + i + 3]!;
    }
  }
}
