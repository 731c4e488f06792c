import type { Rect } from './rect';
import type { TileGrid } from './tile-grid';

export interface MergeOptions {
  /**
   * Clean tiles between two dirty runs of one tile row that are bridged anyway. Each
   * encoder call has a fixed cost (~1 ms with sharp) worth more than one clean 64-px tile.
   */
  readonly bridgeTiles: number;
}

interface OpenRect {
  col0: number;
  col1: number;
  row0: number;
  row1: number;
}

/**
 * Merges dirty tiles into rectangles: first runs along each tile row (bridging short
 * gaps), then runs with exactly the same columns in consecutive rows are stacked. A
 * moving window or a scrolled region comes out as one rectangle; an L shape as two.
 * The result is in pixels, clipped to the screen, in top-to-bottom, left-to-right order.
 */
export function mergeTiles(grid: TileGrid, options: MergeOptions = { bridgeTiles: 1 }): Rect[] {
  const done: OpenRect[] = [];
  let open: OpenRect[] = [];
  for (let row = 0; row < grid.rows; row++) {
    const runs = rowRuns(grid, row, options.bridgeTiles);
    const next: OpenRect[] = [];
    for (const [col0, col1] of runs) {
      const above = open.find((r) => r.col0 === col0 && r.col1 === col1);
      if (above) {
        above.row1 = row + 1;
        next.push(above);
      } else {
        next.push({ col0, col1, row0: row, row1: row + 1 });
      }
    }
    for (const r of open) if (!next.includes(r)) done.push(r);
    open = next;
  }
  done.push(...open);
  done.sort((p, q) => p.row0 - q.row0 || p.col0 - q.col0);
  return done.map((r) => toPixels(grid, r));
}

/** Dirty runs of one tile row as [firstCol, endCol) pairs. */
function rowRuns(grid: TileGrid, row: number, bridgeTiles: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  const base = row * grid.cols;
  for (let col = 0; col < grid.cols; col++) {
    if (grid.dirty[base + col] !== 1) continue;
    const last = runs[runs.length - 1];
    if (last && col - last[1] <= bridgeTiles) last[1] = col + 1;
    else runs.push([col, col + 1]);
  }
  return runs;
}

function toPixels(grid: TileGrid, r: OpenRect): Rect {
  const x = r.col0 * grid.tileSize;
  const y = r.row0 * grid.tileSize;
  return {
    x,
    y,
    width: Math.min(grid.width, r.col1 * grid.tileSize) - x,
    height: Math.min(grid.height, r.row1 * grid.tileSize) - y,
  };
}
