import { regionPixels, type PixelRegion, type RawFrame } from '../capture/raw-frame';
import { intersectRects, type Rect } from './rect';
import { emptyTileGrid, type TileGrid } from './tile-grid';

/** Default tile edge in pixels: small enough to localise a blinking caret, large enough to keep the grid cheap. */
export const DEFAULT_TILE_SIZE = 64;

function asBuffer(bytes: Uint8Array): Buffer {
  // A view, not a copy: Buffer#compare with ranges is a memcmp without allocating subarrays.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Marks the tiles where `next` differs from `prev`. Both frames must have the same size
 * and channel order (a resize is a full refresh, decided by the caller).
 *
 * Why it is fast: a screen is mostly still, so each pixel row is first compared whole
 * (one memcmp over ~7.5 KB); only a row that differs is compared tile by tile, and a tile
 * already known dirty is never compared again. Padding bytes past `width` are ignored.
 */
export function diffTiles(prev: RawFrame, next: RawFrame, tileSize = DEFAULT_TILE_SIZE, within?: readonly Rect[]): TileGrid {
  assertComparable(prev, next, tileSize);
  if (within !== undefined) return diffTilesWithin(prev, next, tileSize, within);
  const grid = emptyTileGrid(next.width, next.height, tileSize);
  const screen = { x: 0, y: 0, width: next.width, height: next.height };
  const ra = regionPixels(prev, screen);
  const rb = regionPixels(next, screen);
  const a = asBuffer(ra.data);
  const b = asBuffer(rb.data);
  const rowBytes = next.width * 4;
  const tileBytes = tileSize * 4;
  let dirtyCount = 0;
  for (let ty = 0; ty < grid.rows; ty++) {
    const yEnd = Math.min(next.height, (ty + 1) * tileSize);
    const rowBase = ty * grid.cols;
    let cleanInBand = grid.cols;
    for (let y = ty * tileSize; y < yEnd && cleanInBand > 0; y++) {
      const pa = byteAt(ra, 0, y);
      const pb = byteAt(rb, 0, y);
      if (a.compare(b, pb, pb + rowBytes, pa, pa + rowBytes) === 0) continue;
      for (let tx = 0; tx < grid.cols; tx++) {
        if (grid.dirty[rowBase + tx] === 1) continue;
        const start = tx * tileBytes;
        const end = Math.min(rowBytes, start + tileBytes);
        if (a.compare(b, pb + start, pb + end, pa + start, pa + end) !== 0) {
          grid.dirty[rowBase + tx] = 1;
          cleanInBand--;
          dirtyCount++;
        }
      }
    }
  }
  return { ...grid, dirtyCount };
}

/** Two frames can be compared tile by tile: same size and channel order, a whole positive tile size. */
function assertComparable(prev: RawFrame, next: RawFrame, tileSize: number): void {
  if (prev.width !== next.width || prev.height !== next.height || prev.channelOrder !== next.channelOrder) {
    throw new RangeError('diffTiles: frames differ in size or channel order');
  }
  if (!Number.isInteger(tileSize) || tileSize < 1) throw new RangeError(`diffTiles: bad tile size ${tileSize}`);
}

/** Where pixel (x, y) starts in a region's bytes. */
function byteAt(region: PixelRegion, x: number, y: number): number {
  return (y - region.y) * region.stride + (x - region.x) * 4;
}

/**
 * diffTiles for frames known to be equal outside `within` (a damage-driven source says
 * so): only the parts of tiles inside those rectangles are compared (outside them the
 * frames are equal anyway), so a 400×300 change on a 1080p screen costs a few dozen
 * compares of short rows instead of a pass over every row of the screen.
 */
function diffTilesWithin(prev: RawFrame, next: RawFrame, tileSize: number, within: readonly Rect[]): TileGrid {
  const grid = emptyTileGrid(next.width, next.height, tileSize);
  let dirtyCount = 0;
  for (const reported of within) {
    const rect = intersectRects(reported, { x: 0, y: 0, width: next.width, height: next.height });
    if (rect === undefined) continue;
    const ra = regionPixels(prev, rect);
    const rb = regionPixels(next, rect);
    const a = asBuffer(ra.data);
    const b = asBuffer(rb.data);
    const col0 = Math.floor(rect.x / tileSize);
    const col1 = Math.ceil((rect.x + rect.width) / tileSize);
    const row0 = Math.floor(rect.y / tileSize);
    const row1 = Math.ceil((rect.y + rect.height) / tileSize);
    for (let row = row0; row < row1; row++) {
      const y0 = Math.max(rect.y, row * tileSize);
      const y1 = Math.min(rect.y + rect.height, (row + 1) * tileSize);
      for (let col = col0; col < col1; col++) {
        const index = row * grid.cols + col;
        if (grid.dirty[index] === 1) continue;
        const x0 = Math.max(rect.x, col * tileSize);
        const bytes = (Math.min(rect.x + rect.width, (col + 1) * tileSize) - x0) * 4;
        for (let y = y0; y < y1; y++) {
          const pa = byteAt(ra, x0, y);
          const pb = byteAt(rb, x0, y);
          if (a.compare(b, pb, pb + bytes, pa, pa + bytes) !== 0) {
            grid.dirty[index] = 1;
            dirtyCount++;
            break;
          }
        }
      }
    }
  }
  return { ...grid, dirtyCount };
}
