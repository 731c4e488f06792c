import type { RawFrame } from '../client/capture/raw-frame';
import { diffTiles } from '../client/diff/diff-tiles';
import { planUpdate } from '../client/diff/plan-update';
import { median, timeRuns, type Benchmark } from './support/benchmark';
import { pngToBgraFrame, renderDesktopPng } from './support/sharp-bench-adapter';

/** A copy of `frame` with a `w`×`h` block at (x, y) inverted. */
function withChange(frame: RawFrame, x: number, y: number, w: number, h: number): RawFrame {
  const data = new Uint8Array(frame.data); // a copy (Buffer#slice would be a view)
  for (let row = y; row < y + h; row++) {
    for (let i = row * frame.stride + x * 4; i < row * frame.stride + (x + w) * 4; i++) data[i] = 255 - data[i]!;
  }
  return { ...frame, data };
}

/** The naive way: every pixel compared as a 32-bit word, the whole frame every time. */
function naiveChangedPixels(a: RawFrame, b: RawFrame): number {
  const va = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.byteLength >>> 2);
  const vb = new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.byteLength >>> 2);
  let changed = 0;
  for (let i = 0; i < va.length; i++) if (va[i] !== vb[i]) changed++;
  return changed;
}

const bench: Benchmark = {
  name: 'diff',
  description: 'tile diff of two 1920x1080 BGRA frames (row memcmp first, then 64-px tiles) vs a naive 32-bit compare of every pixel',
  async run() {
    const frame = await pngToBgraFrame(await renderDesktopPng());
    const same: RawFrame = { ...frame, data: new Uint8Array(frame.data) };
    const region = withChange(frame, 500, 300, 400, 300);
    const naive = median(await timeRuns(20, () => naiveChangedPixels(frame, same)));
    const still = median(await timeRuns(50, () => diffTiles(frame, same)));
    const changed = median(await timeRuns(50, () => diffTiles(frame, region)));
    const plan = median(await timeRuns(50, () => planUpdate(frame, region)));
    const rects = planUpdate(frame, region);
    return [
      { case: 'diffTiles, still screen (identical frames)', value: still, unit: 'ms', baseline: { name: 'naive 32-bit compare', value: naive } },
      { case: 'diffTiles, 400x300 region changed', value: changed, unit: 'ms', baseline: { name: 'naive 32-bit compare', value: naive } },
      {
        case: 'planUpdate (diff + merge), 400x300 region changed', value: plan, unit: 'ms', baseline: { name: 'naive 32-bit compare', value: naive },
        note: rects.kind === 'rects' ? `→ ${rects.rects.map((r) => `${r.width}x${r.height}@${r.x},${r.y}`).join(' ')}` : rects.kind,
      },
    ];
  },
};

export default bench;
