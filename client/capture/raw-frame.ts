import type { Rect } from '../diff/rect';

/**
 * One captured screen image, uncompressed, 4 bytes a pixel.
 *
 * Native capture APIs disagree on channel order (X11 and Windows GDI give BGRA, most
 * decoders give RGBA), so the order travels with the pixels instead of being converted
 * at capture time: converting a whole 1080p frame costs ~8 ms, and only the dirty
 * rectangles ever need it (see client/encode/crop-pixels.ts).
 */
export type ChannelOrder = 'bgra' | 'rgba';

export interface RawFrame {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Bytes from the start of one row to the next (≥ width × 4; may include padding). */
  readonly stride: number;
  /** Byte order of each 4-byte pixel. The 4th byte is never used (often 0 on X11). */
  readonly channelOrder: ChannelOrder;
  /**
   * The pixels, `height` rows of `stride` bytes. A source must hand out a new buffer per
   * grab (or one it never writes again): the diff keeps the previous frame to compare with.
   */
  readonly data: Uint8Array;
  /** Set by a damage-driven source: this frame's number, unique in the process. */
  readonly frameId?: number;
  /**
   * Set by a damage-driven source: this frame equals frame `previousId` (the source's
   * frame before it) outside `rects`, so a comparison with that frame need only look
   * inside them. A number, not the frame itself: a chain of 8 MB frames would never be freed.
   */
  readonly changedSince?: { readonly previousId: number; readonly rects: readonly Rect[] };
  /** Set when the frame shows one display of several (cropToView): its id in `screen-info`, for the FRAME header. */
  readonly displayId?: number;
  /**
   * Set by a source that keeps frames in a shared, versioned buffer (damage-tracked-source.ts):
   * the pixels of `rect` without building the whole of `data`, which such a frame only makes
   * (8 MB at 1080p) when someone reads it. Read it through {@link regionPixels}.
   */
  readonly region?: (rect: Rect) => PixelRegion;
}

/**
 * Pixels of a frame, readable in frame coordinates: pixel (px, py) starts at byte
 * `(py - y) * stride + (px - x) * 4` of `data`. Valid until the caller's next await
 * (a versioned frame may hand out its source's live buffer).
 */
export interface PixelRegion {
  readonly data: Uint8Array;
  readonly stride: number;
  /** The frame coordinates of `data`'s first pixel. */
  readonly x: number;
  readonly y: number;
}

/**
 * The pixels of `rect` (inside the frame) of any frame: the frame's own buffer when it has
 * one, else what its `region` hands out. Diff and crop read frames through this only.
 */
export function regionPixels(frame: RawFrame, rect: Rect): PixelRegion {
  return frame.region?.(rect) ?? { data: frame.data, stride: frame.stride, x: 0, y: 0 };
}

/** Bytes per pixel of every RawFrame. */
const BYTES_PER_PIXEL = 4;

/** Throws unless the frame's fields are consistent, so a broken source fails loudly once. */
export function assertRawFrame(frame: RawFrame): void {
  const { width, height, stride, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`raw frame: bad size ${width}x${height}`);
  }
  if (!Number.isInteger(stride) || stride < width * BYTES_PER_PIXEL || stride % BYTES_PER_PIXEL !== 0) {
    throw new RangeError(`raw frame: bad stride ${stride} for width ${width}`);
  }
  if (data.byteLength < stride * (height - 1) + width * BYTES_PER_PIXEL) {
    throw new RangeError(`raw frame: ${data.byteLength} bytes is too short for ${width}x${height}, stride ${stride}`);
  }
}
