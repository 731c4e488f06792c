import type { Rect } from '../diff/rect';

export interface BandOptions {
  /** Most bands one rectangle is cut into: the number of encodes that can run at once. */
  readonly maxBands: number;
  /** A rectangle is cut only into bands of at least this many pixels each. */
  readonly minBandPixels: number;
}

/**
 * JPEG rows are 16 pixels high with 4:2:0 chroma (one MCU), so bands cut on multiples
 * of 16 rows put their block edges where one whole-image encode would have put them.
 */
const ROW_ALIGN = 16;

/**
 * Cuts a large rectangle into horizontal bands so that several encodes run at once:
 * sharp encodes one image on one libuv thread, so a 1080p frame alone uses one core
 * while the others idle. Small rectangles are returned whole: each encode has a fixed cost.
 */
export function splitIntoBands(rect: Rect, options: BandOptions): Rect[] {
  const byArea = Math.floor((rect.width * rect.height) / options.minBandPixels);
  const byRows = Math.floor(rect.height / ROW_ALIGN);
  const count = Math.min(options.maxBands, byArea, byRows);
  if (count <= 1) return [rect];
  const bandHeight = Math.ceil(rect.height / count / ROW_ALIGN) * ROW_ALIGN;
  const bands: Rect[] = [];
  for (let y = 0; y < rect.height; y += bandHeight) {
    bands.push({ x: rect.x, y: rect.y + y, width: rect.width, height: Math.min(bandHeight, rect.height - y) });
  }
  return bands;
}
