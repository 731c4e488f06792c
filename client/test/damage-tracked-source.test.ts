import { MAX_REGION_FAILURES, trackDamage, type FullReadReason, type GrabbedArea } from '../capture/damage-tracked-source';
import type { RawFrame } from '../capture/raw-frame';
import { planUpdate } from '../diff/plan-update';
import { cropToRgb } from '../encode/crop-pixels';
import type { Rect } from '../diff/rect';
import { FakeDamageSource } from './support/fake-damage-source';
import { FakeScreenSource, pixelAt } from './support/fake-screen-source';

function setup(channelOrder: 'bgra' | 'rgba' = 'bgra') {
  const screen = new FakeScreenSource(320, 240, channelOrder);
  const damage = new FakeDamageSource(screen, 320, 240);
  const grabbed: GrabbedArea[] = [];
  /** Why each whole-screen read was made, in order. */
  const whyFull: (FullReadReason | undefined)[] = [];
  const source = trackDamage(screen, damage, {
    onGrabbed: (area, why) => {
      grabbed.push(area);
      if (area === 'full') whyFull.push(why);
    },
  });
  return { screen, damage, source, grabbed, whyFull };
}

describe('trackDamage', () => {
  test('reads the whole screen once, then only the damaged rectangles, and the frame equals the screen', async () => {
    const { screen, damage, source, grabbed } = setup();
    await source.grab();
    expect(grabbed).toEqual(['full']);
    damage.paint({ x: 100, y: 50, width: 40, height: 30 }, [255, 128, 0]);
    const frame = await source.grab();
    expect(screen.grabs).toBe(1);
    expect(grabbed[1]).toEqual([{ x: 100, y: 50, width: 40, height: 30 }]);
    expect(Buffer.from(frame.data).equals(Buffer.from((await screen.grab()).data))).toBe(true);
    expect(pixelAt(frame, 120, 60)).toEqual([255, 128, 0]);
  });

  test('a grab with nothing damaged reads nothing and returns the same frame, which the plan calls still', async () => {
    const { damage, source, grabbed } = setup();
    const first = await source.grab();
    const again = await source.grab();
    expect(again).toBe(first);
    expect(damage.regionsRead).toEqual([]);
    expect(grabbed).toEqual(['full']);
    expect(planUpdate(first, again)).toEqual({ kind: 'none' });
  });

  test('leaves earlier frames untouched (the streamer compares with one and may still encode it)', async () => {
    const { damage, source } = setup();
    const first = await source.grab();
    const copy = first.data.slice();
    damage.paint({ x: 0, y: 0, width: 10, height: 10 }, [9, 9, 9]);
    await source.grab();
    expect(Buffer.from(first.data).equals(Buffer.from(copy))).toBe(true);
  });

  test.each(['bgra', 'rgba'] as const)('earlier frames (%s) read as they were after later pastes into the shared shadow, through crops, the diff and their data', async (order) => {
    const { screen, damage, source } = setup(order);
    const frames: RawFrame[] = [];
    const truths: RawFrame[] = []; // the fake screen's own copy at each grab
    const keep = async (): Promise<void> => {
      frames.push(await source.grab());
      truths.push(await screen.grab());
    };
    screen.paint({ x: 0, y: 0, width: 320, height: 240 }, [20, 40, 60]);
    await keep();
    const steps: { rect: Rect; rgb: [number, number, number] }[][] = [
      [{ rect: { x: 10, y: 10, width: 50, height: 40 }, rgb: [255, 0, 0] }],
      // Two overlapping rectangles in one batch, over the first change.
      [{ rect: { x: 30, y: 20, width: 60, height: 30 }, rgb: [0, 255, 0] }, { rect: { x: 50, y: 5, width: 30, height: 60 }, rgb: [0, 0, 255] }],
      [{ rect: { x: 200, y: 100, width: 64, height: 64 }, rgb: [1, 2, 3] }],
      [{ rect: { x: 0, y: 0, width: 70, height: 70 }, rgb: [90, 80, 70] }],
    ];
    for (const step of steps) {
      for (const { rect, rgb } of step) damage.paint(rect, rgb);
      await keep();
    }
    const areas: Rect[] = [{ x: 0, y: 0, width: 320, height: 240 }, { x: 20, y: 8, width: 48, height: 50 }, { x: 196, y: 96, width: 8, height: 70 }];
    for (const [i, frame] of frames.entries()) {
      for (const area of areas) {
        expect(Buffer.from(cropToRgb(frame, area)).equals(Buffer.from(cropToRgb(truths[i]!, area)))).toBe(true);
      }
      // Compared with the newest (whole, not only where it was damaged), an old frame
      // differs exactly where the screen does since.
      const newest: RawFrame = { ...frames.at(-1)!, changedSince: undefined };
      expect(planUpdate(frame, newest)).toEqual(planUpdate(truths[i]!, truths.at(-1)!));
    }
    // A structured clone (what postMessage to a worker makes) carries the pixels, not the reader.
    const cloned = structuredClone(frames[0]!);
    expect(Buffer.from(cloned.data).equals(Buffer.from(truths[0]!.data))).toBe(true);
    // Read last: `data` is built once, on first read.
    for (const [i, frame] of frames.entries()) expect(Buffer.from(frame.data).equals(Buffer.from(truths[i]!.data))).toBe(true);
  });

  test('damage that did not really change pixels is dropped by the tile comparison', async () => {
    const { damage, source } = setup();
    const first = await source.grab();
    damage.damageOnly({ x: 64, y: 64, width: 100, height: 100 });
    const second = await source.grab();
    expect(damage.regionsRead).toHaveLength(1);
    expect(planUpdate(first, second)).toEqual({ kind: 'none' });
  });

  test('damage over most of the screen is read as one whole frame by the full-frame source', async () => {
    const { screen, damage, source, grabbed, whyFull } = setup();
    await source.grab();
    damage.paint({ x: 0, y: 0, width: 320, height: 130 }, [1, 1, 1]); // 54 % of the screen
    await source.grab();
    expect(grabbed).toEqual(['full', 'full']);
    expect(whyFull).toEqual(['first', 'large-damage']);
    expect(damage.regionsRead).toEqual([]);
    expect(screen.grabs).toBe(2);
  });

  test('a full hint, or damage that lost track, reads the whole screen, repairing what tracking missed', async () => {
    const { screen, damage, source, grabbed, whyFull } = setup();
    await source.grab();
    damage.paintSilently({ x: 5, y: 5, width: 5, height: 5 }, [1, 2, 3]);
    const refreshed = await source.grab({ full: true });
    expect(pixelAt(refreshed, 6, 6)).toEqual([1, 2, 3]);
    damage.loseTrack();
    await source.grab();
    expect(grabbed).toEqual(['full', 'full', 'full']);
    expect(whyFull).toEqual(['first', 'requested', 'lost-track']);
    expect(screen.grabs).toBe(3);
  });

  test('damage beyond the last frame (the screen grew) reads the whole screen, and says why', async () => {
    const screen = new FakeScreenSource(320, 240, 'bgra');
    const damage = new FakeDamageSource(screen, 400, 240); // the server's screen is wider now
    const whyFull: (FullReadReason | undefined)[] = [];
    const source = trackDamage(screen, damage, { onGrabbed: (area, why) => { if (area === 'full') whyFull.push(why); } });
    await source.grab();
    damage.damageOnly({ x: 330, y: 10, width: 20, height: 20 });
    await source.grab();
    expect(whyFull).toEqual(['first', 'screen-grew']);
    expect(damage.regionsRead).toEqual([]);
  });

  test('reads the whole screen through the damage source while it moves (large damage), and the first frame and a refresh through the full-frame source', async () => {
    const { screen, damage, source, whyFull } = setup();
    let screenReads = 0;
    damage.grabScreen = () => { screenReads++; return Promise.resolve(screen.readRegion({ x: 0, y: 0, width: 320, height: 240 })); };
    await source.grab();
    await source.grab({ full: true });
    expect(screenReads).toBe(0);
    expect(screen.grabs).toBe(2);
    damage.paint({ x: 0, y: 0, width: 320, height: 130 }, [9, 8, 7]);
    const frame = await source.grab();
    expect(whyFull).toEqual(['first', 'requested', 'large-damage']);
    expect(screenReads).toBe(1);
    expect(screen.grabs).toBe(2);
    expect(pixelAt(frame, 5, 5)).toEqual([9, 8, 7]);
  });

  test('falls back to the full-frame source when the damage source cannot read the whole screen now, fails to, or is no longer healthy', async () => {
    const { screen, damage, source } = setup();
    await source.grab();
    const large = { x: 0, y: 0, width: 320, height: 130 };
    damage.grabScreen = () => undefined; // the screen outgrew its segment, say
    damage.paint(large, [1, 1, 1]);
    await source.grab();
    expect(screen.grabs).toBe(2);
    damage.grabScreen = () => Promise.reject(new Error('MIT-SHM GetImage: no answer in 2000 ms'));
    damage.paint(large, [4, 5, 6]);
    const frame = await source.grab();
    expect(screen.grabs).toBe(3);
    expect(pixelAt(frame, 1, 1)).toEqual([4, 5, 6]);
    let asked = 0;
    damage.grabScreen = () => { asked++; return undefined; };
    damage.isHealthy = false;
    damage.paint(large, [7, 7, 7]);
    await source.grab();
    expect(asked).toBe(0);
    expect(screen.grabs).toBe(4);
  });

  test('pastes regions of the other channel order in the frame\'s order', async () => {
    const screen = new FakeScreenSource(64, 64, 'bgra');
    const rgbaScreen = new FakeScreenSource(64, 64, 'rgba');
    // Damage read from an RGBA copy of the screen: the paste must swap to BGRA.
    const damage = new FakeDamageSource(rgbaScreen, 64, 64);
    const source = trackDamage(screen, damage);
    await source.grab();
    damage.paint({ x: 1, y: 1, width: 2, height: 2 }, [200, 100, 50]);
    const frame = await source.grab();
    expect(frame.channelOrder).toBe('bgra');
    expect(pixelAt(frame, 1, 1)).toEqual([200, 100, 50]);
  });

  test('a failed read of a rectangle costs one full read; failures in a row end the tracking for good', async () => {
    const { screen, damage, source, grabbed, whyFull } = setup();
    await source.grab();
    damage.grabRegion = async () => { throw new Error('X11 GetImage: no answer in 2000 ms'); };
    damage.paint({ x: 1, y: 1, width: 2, height: 2 }, [7, 7, 7]);
    const frame = await source.grab();
    expect(pixelAt(frame, 1, 1)).toEqual([7, 7, 7]); // the full read has it
    expect(source.changes!.active()).toBe(true);
    for (let i = 1; i < MAX_REGION_FAILURES; i++) {
      damage.paint({ x: 1, y: 1, width: 2, height: 2 }, [i, 0, 0]);
      await source.grab();
    }
    expect(source.changes!.active()).toBe(false);
    expect(damage.closed).toBe(true);
    const grabs = screen.grabs;
    await source.grab(); // no damage asked for any more: a full read, as polling does
    expect(screen.grabs).toBe(grabs + 1);
    expect(grabbed.every((g) => g === 'full')).toBe(true);
    expect(whyFull).toEqual(['first', ...Array<FullReadReason>(MAX_REGION_FAILURES).fill('read-failed'), 'polling']);
  });

  test('a damage source that is no longer healthy makes the signal inactive and every grab full', async () => {
    const { screen, damage, source } = setup();
    await source.grab();
    damage.isHealthy = false;
    expect(source.changes!.active()).toBe(false);
    await source.grab();
    expect(screen.grabs).toBe(2);
  });

  test('passes the damage signal on, and closes both sources', async () => {
    const { damage, source } = setup();
    let woke = 0;
    const unsubscribe = source.changes!.subscribe(() => woke++);
    damage.paint({ x: 1, y: 1, width: 1, height: 1 }, [1, 1, 1]);
    expect(source.changes!.pending()).toBe(true);
    expect(woke).toBe(1);
    unsubscribe();
    await source.close!();
    expect(damage.closed).toBe(true);
  });
});

describe('comparing only where the damage was', () => {
  test('plans inside what a whole-frame comparison plans, cut to the damage, and the plan rebuilds the frame exactly', async () => {
    const { damage, source } = setup();
    let prev = await source.grab();
    const paints = [
      { x: 0, y: 0, width: 3, height: 3 }, { x: 100, y: 100, width: 90, height: 40 }, { x: 300, y: 230, width: 20, height: 10 },
      { x: 60, y: 60, width: 10, height: 10 }, { x: 10, y: 200, width: 200, height: 30 },
    ];
    for (const [i, rect] of paints.entries()) {
      damage.paint(rect, [i * 40, 255 - i * 40, 9]);
      if (i % 2 === 1) damage.damageOnly({ x: 250, y: 10, width: 30, height: 30 }); // damaged, unchanged
      const next = await source.grab();
      expect(next.changedSince?.previousId).toBe(prev.frameId);
      const { changedSince: _ignored, ...plain } = next;
      const linked = planUpdate(prev, next);
      const whole = planUpdate(prev, plain);
      expect(linked.kind).toBe('rects');
      expect(whole.kind).toBe('rects');
      if (linked.kind !== 'rects' || whole.kind !== 'rects') return;
      for (const r of linked.rects) expect(whole.rects.some((w) => inside(r, w))).toBe(true);
      // What the viewer ends with: the previous frame with the planned rectangles drawn over it.
      expect(Buffer.from(drawOver(prev, next, linked.rects)).equals(Buffer.from(next.data))).toBe(true);
      prev = next;
    }
  });

  test('looks only inside the damage when the frames are linked, and everywhere when they are not', async () => {
    const { damage, source, screen } = setup();
    const first = await source.grab();
    damage.paintSilently({ x: 300, y: 200, width: 4, height: 4 }, [255, 0, 0]); // not reported
    damage.paint({ x: 0, y: 0, width: 4, height: 4 }, [0, 255, 0]);
    const linked = await source.grab();
    // The silent change is not in this frame at all (its pixels were never read)...
    expect(planUpdate(first, linked)).toEqual({ kind: 'rects', rects: [{ x: 0, y: 0, width: 4, height: 4 }] });
    // ...and a frame of unknown lineage is compared everywhere.
    const other = await screen.grab();
    const plan = planUpdate(first, other);
    expect(plan).toEqual({ kind: 'rects', rects: [{ x: 0, y: 0, width: 64, height: 64 }, { x: 256, y: 192, width: 64, height: 48 }] });
  });
});

function inside(inner: Rect, outer: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y
    && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** `base`'s pixels with `rects` of `top` copied over them, as a viewer composes updates. */
function drawOver(base: RawFrame, top: RawFrame, rects: readonly Rect[]): Uint8Array {
  const out = base.data.slice();
  for (const r of rects) {
    for (let y = r.y; y < r.y + r.height; y++) {
      const start = y * top.stride + r.x * 4;
      out.set(top.data.subarray(start, start + r.width * 4), y * base.stride + r.x * 4);
    }
  }
  return out;
}
