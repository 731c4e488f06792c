import { clip, DamageAccumulator } from '../capture/damage-accumulator';

describe('DamageAccumulator', () => {
  test('hands over the batch once, clipped to the screen, and starts a new one', () => {
    const acc = new DamageAccumulator();
    expect(acc.pending).toBe(false);
    acc.add({ x: 10, y: 10, width: 5, height: 5 });
    acc.add({ x: 90, y: 90, width: 50, height: 50 });
    expect(acc.pending).toBe(true);
    expect(acc.take(100, 100)).toEqual([{ x: 10, y: 10, width: 5, height: 5 }, { x: 90, y: 90, width: 10, height: 10 }]);
    expect(acc.pending).toBe(false);
    expect(acc.take(100, 100)).toEqual([]);
  });

  test('drops rectangles inside another, and empty or off-screen ones', () => {
    const acc = new DamageAccumulator();
    acc.add({ x: 12, y: 12, width: 2, height: 2 });
    acc.add({ x: 10, y: 10, width: 10, height: 10 }); // swallows the first
    acc.add({ x: 11, y: 11, width: 3, height: 3 }); // inside the second
    acc.add({ x: 0, y: 0, width: 0, height: 7 });
    acc.add({ x: 500, y: 500, width: 7, height: 7 });
    expect(acc.take(100, 100)).toEqual([{ x: 10, y: 10, width: 10, height: 10 }]);
  });

  test('collapses to the bounding box beyond maxRects, so memory and requests stay bounded', () => {
    const acc = new DamageAccumulator(4);
    for (let i = 0; i < 1000; i++) acc.add({ x: (i * 7) % 90, y: (i * 13) % 90, width: 1, height: 1 });
    const rects = acc.take(100, 100);
    expect(rects).not.toBe('all');
    expect((rects as unknown[]).length).toBeLessThanOrEqual(4);
  });

  test('once track is lost the batch is "all", then tracking starts again', () => {
    const acc = new DamageAccumulator();
    acc.add({ x: 1, y: 1, width: 1, height: 1 });
    acc.loseTrack();
    acc.add({ x: 2, y: 2, width: 1, height: 1 });
    expect(acc.pending).toBe(true);
    expect(acc.take(10, 10)).toBe('all');
    acc.add({ x: 3, y: 3, width: 1, height: 1 });
    expect(acc.take(10, 10)).toEqual([{ x: 3, y: 3, width: 1, height: 1 }]);
  });

  test('clip keeps what is on the screen', () => {
    expect(clip({ x: -5, y: -5, width: 10, height: 10 }, 100, 100)).toEqual({ x: 0, y: 0, width: 5, height: 5 });
    expect(clip({ x: 100, y: 0, width: 10, height: 10 }, 100, 100)).toBeUndefined();
  });
});
