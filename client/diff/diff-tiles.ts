import type { RawFrame } from '../capture/raw-frame';
import type { Rect } from './rect';
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
  const a = asBuffer(prev.data);
  const b = asBuffer(next.data);
  const rowBytes = next.width * 4;
  const tileBytes = tileSize * 4;
  let dirtyCount = 0;
  for (let ty = 0; ty < grid.rows; ty++) {
    const yEnd = Math.min(next.height, (ty + 1) * tileSize);
    const rowBase = ty * grid.cols;
    let cleanInBand = grid.cols;
    for (let y = ty * tileSize; y < yEnd && cleanInBand > 0; y++) {
      const pa = y * prev.stride;
      const pb = y * next.stride;
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

/**
 * diffTiles for frames known to be equal outside `within` (a damage-driven source says
 * so): only the tiles that meet those rectangles are compared, so a 400×300 change on a
 * 1080p screen costs a few dozen tile compares instead of a pass over every row.
 */
function diffTilesWithin(prev: RawFrame, next: RawFrame, tileSize: number, within: readonly Rect[]): TileGrid {
  const grid = emptyTileGrid(next.width, next.height, tileSize);
  const a = asBuffer(prev.data);
  const b = asBuffer(next.data);
  let dirtyCount = 0;
  for (const rect of within) {
    const col0 = Math.max(0, Math.floor(rect.x / tileSize));
    const col1 = Math.min(grid.cols, Math.ceil((rect.x + rect.width) / tileSize));
    const row0 = Math.max(0, Math.floor(rect.y / tileSize));
    const row1 = Math.min(grid.rows, Math.ceil((rect.y + rect.height) / tileSize));
    for (let row = row0; row < row1; row++) {
      const yEnd = Math.min(next.height, (row + 1) * tileSize);
      for (let col = col0; col < col1; col++) {
        const index = row * grid.cols + col;
        if (grid.dirty[index] === 1) continue;
        const start = col * tileSize * 4;
        const end = Math.min(next.width, (col + 1) * tileSize) * 4;
        for (let y = row * tileSize; y < yEnd; y++) {
          const pa = y * prev.stride;
          const pb = y * next.stride;
          if (a.compare(b, pb + start, pb + end, pa + start, pa + end) !== 0) {
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
