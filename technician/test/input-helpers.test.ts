import { MoveCoalescer } from '../core/input/move-coalescer';
import { DeltaMode, WheelNormalizer } from '../core/input/wheel-normalizer';

describe('wheel normalisation', () => {
  it('turns one notch into one step in every browser', () => {
    for (const delta of [{ deltaY: 100, deltaMode: DeltaMode.PIXEL }, { deltaY: 120, deltaMode: DeltaMode.PIXEL },
      { deltaY: 53, deltaMode: DeltaMode.PIXEL }, { deltaY: 3, deltaMode: DeltaMode.LINE }]) {
      expect(new WheelNormalizer().push({ deltaX: 0, ...delta })).toEqual({ dx: 0, dy: 1 });
    }
    expect(new WheelNormalizer().push({ deltaX: 0, deltaY: -100, deltaMode: DeltaMode.PIXEL })).toEqual({ dx: 0, dy: -1 });
  });

  it('adds up a trackpad\'s small deltas into whole steps', () => {
    const w = new WheelNormalizer();
    const out = Array.from({ length: 10 }, () => w.push({ deltaX: 0, deltaY: 10, deltaMode: DeltaMode.PIXEL }));
    expect(out.filter((s) => s !== undefined)).toEqual([{ dx: 0, dy: 1 }, { dx: 0, dy: 1 }]);
  });

  it('keeps several notches in one event, horizontal scroll, and the protocol bound', () => {
    const w = new WheelNormalizer();
    expect(w.push({ deltaX: 0, deltaY: 360, deltaMode: DeltaMode.PIXEL })).toEqual({ dx: 0, dy: 3 });
    expect(w.push({ deltaX: -240, deltaY: 0, deltaMode: DeltaMode.PIXEL })).toEqual({ dx: -2, dy: 0 });
    expect(w.push({ deltaX: 0, deltaY: 1e6, deltaMode: DeltaMode.PIXEL })).toEqual({ dx: 0, dy: 100 });
    expect(w.push({ deltaX: 0, deltaY: 1, deltaMode: DeltaMode.PAGE })).toEqual({ dx: 0, dy: 7 });
  });

  it('starts afresh when the direction reverses', () => {
    const w = new WheelNormalizer();
    expect(w.push({ deltaX: 0, deltaY: 30, deltaMode: DeltaMode.PIXEL })).toBeUndefined();
    expect(w.push({ deltaX: 0, deltaY: -50, deltaMode: DeltaMode.PIXEL })).toEqual({ dx: 0, dy: -1 });
  });
});

describe('pointer move coalescing', () => {
  function fakeFrames(): { request: (cb: () => void) => number; cancel: (h: unknown) => void; run: () => void; pending: number } {
    const callbacks = new Map<number, () => void>();
    let next = 1;
    return {
      request: (cb) => { callbacks.set(next, cb); return next++; },
      cancel: (h) => { callbacks.delete(h as number); },
      run: () => { const all = [...callbacks.values()]; callbacks.clear(); all.forEach((cb) => cb()); },
      get pending() { return callbacks.size; },
    };
  }

  it('sends only the newest position once per frame', () => {
    const frames = fakeFrames();
    const sent: string[] = [];
    const c = new MoveCoalescer(frames, (p) => sent.push(`${p.x},${p.y}`));
    for (let i = 0; i < 50; i++) c.push({ x: i, y: i * 2 });
    expect(frames.pending).toBe(1);
    expect(sent).toEqual([]);
    frames.run();
    expect(sent).toEqual(['49,98']);
    c.push({ x: 49, y: 98 });
    frames.run();
    expect(sent).toEqual(['49,98']); // no repeat of an unchanged position
  });

  it('flushes the waiting move before a button event, and cancel drops it', () => {
    const frames = fakeFrames();
    const sent: string[] = [];
    const c = new MoveCoalescer(frames, (p) => sent.push(`${p.x},${p.y}`));
    c.push({ x: 5, y: 6 });
    c.flush();
    expect(sent).toEqual(['5,6']);
    expect(frames.pending).toBe(0);
    c.push({ x: 7, y: 8 });
    c.cancel();
    frames.run();
    expect(sent).toEqual(['5,6']);
  });
});
