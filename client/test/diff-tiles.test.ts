import type { RawFrame } from '../capture/raw-frame';
import { diffTiles } from '../diff/diff-tiles';
import { FakeScreenSource } from './support/fake-screen-source';

function dirtyList(grid: { cols: number; dirty: Uint8Array }): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  grid.dirty.forEach((d, i) => { if (d) out.push([i % grid.cols, Math.floor(i / grid.cols)]); });
  return out;
}

describe('diffTiles', () => {
  it('finds no dirty tile between identical frames', async () => {
    const screen = new FakeScreenSource(200, 130);
    screen.paint({ x: 10, y: 10, width: 50, height: 50 }, [200, 10, 10]);
    const grid = diffTiles(await screen.grab(), await screen.grab());
    expect(grid.cols).toBe(4); // 200 / 64 → 3 whole + 1 cut short
    expect(grid.rows).toBe(3);
    expect(grid.dirtyCount).toBe(0);
  });

  it('marks exactly the tiles a change touches, including cut-short edge tiles', async () => {
    const screen = new FakeScreenSource(200, 130);
    const before = await screen.grab();
    screen.paint({ x: 60, y: 60, width: 8, height: 8 }, [255, 255, 255]); // corner of 4 tiles
    screen.paint({ x: 199, y: 129, width: 1, height: 1 }, [1, 0, 0]); // last pixel of the screen
    const grid = diffTiles(before, await screen.grab());
    expect(dirtyList(grid)).toEqual([[0, 0], [1, 0], [0, 1], [1, 1], [3, 2]]);
    expect(grid.dirtyCount).toBe(5);
  });

  it('ignores row padding past the width', async () => {
    const screen = new FakeScreenSource(64, 64, 'bgra', 16);
    const a = await screen.grab();
    const b: RawFrame = { ...a, data: a.data.slice() };
    b.data[64 * 4 + 3] = 99; // first padding byte of row 0
    expect(diffTiles(a, b).dirtyCount).toBe(0);
  });

  it('refuses frames of different sizes', async () => {
    const a = await new FakeScreenSource(64, 64).grab();
    const b = await new FakeScreenSource(128, 64).grab();
    expect(() => diffTiles(a, b)).toThrow(RangeError);
  });
});
