/**
 * Which tiles of a screen changed. Tiles are `tileSize` squares from the top-left;
 * the last column and row are cut short where the screen size is not a multiple.
 */
export interface TileGrid {
  readonly tileSize: number;
  /** Screen size in pixels. */
  readonly width: number;
  readonly height: number;
  readonly cols: number;
  readonly rows: number;
  /** `cols × rows` flags, row-major: 1 = the tile changed. */
  readonly dirty: Uint8Array;
  /** How many flags are 1. */
  readonly dirtyCount: number;
}

/** An empty grid for a screen, with every tile clean. */
export function emptyTileGrid(width: number, height: number, tileSize: number): TileGrid & { dirtyCount: number } {
  const cols = Math.ceil(width / tileSize);
  const rows = Math.ceil(height / tileSize);
  return { tileSize, width, height, cols, rows, dirty: new Uint8Array(cols * rows), dirtyCount: 0 };
}
