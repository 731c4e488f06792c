import { mergeTiles } from '../diff/merge-tiles';
import { emptyTileGrid, type TileGrid } from '../diff/tile-grid';

/** Builds a grid from a picture: `#` dirty, `.` clean, one string per tile row. */
function grid(rows: string[], tileSize = 64, width?: number, height?: number): TileGrid {
  const cols = rows[0]!.length;
  const g = emptyTileGrid(width ?? cols * tileSize, height ?? rows.length * tileSize, tileSize);
  let count = 0;
  rows.forEach((line, r) => [...line].forEach((c, col) => {
    if (c === '#') { g.dirty[r * cols + col] = 1; count++; }
  }));
  return { ...g, dirtyCount: count };
}

describe('mergeTiles', () => {
  it('returns nothing for a clean grid', () => {
    expect(mergeTiles(grid(['....', '....']))).toEqual([]);
  });

  it('stacks equal runs of consecutive rows into one rectangle', () => {
    expect(mergeTiles(grid(['.##.', '.##.', '....']))).toEqual([{ x: 64, y: 0, width: 128, height: 128 }]);
  });

  it('splits an L shape into two rectangles', () => {
    expect(mergeTiles(grid(['#...', '#...', '####']))).toEqual([
      { x: 0, y: 0, width: 64, height: 128 },
      { x: 0, y: 128, width: 256, height: 64 },
    ]);
  });

  it('bridges a one-tile gap in a row but not a two-tile gap', () => {
    expect(mergeTiles(grid(['#.#..#']))).toEqual([
      { x: 0, y: 0, width: 192, height: 64 },
      { x: 320, y: 0, width: 64, height: 64 },
    ]);
    expect(mergeTiles(grid(['#.#']), { bridgeTiles: 0 })).toHaveLength(2);
  });

  it('clips edge tiles to the screen', () => {
    expect(mergeTiles(grid(['..#', '..#'], 64, 150, 100))).toEqual([{ x: 128, y: 0, width: 22, height: 100 }]);
  });
});
