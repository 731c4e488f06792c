import { MAX_REGION_FAILURES, trackDamage, type GrabbedArea } from '../capture/damage-tracked-source';
import { planUpdate } from '../diff/plan-update';
import { FakeDamageSource } from './support/fake-damage-source';
import { FakeScreenSource, pixelAt } from './support/fake-screen-source';

function setup(channelOrder: 'bgra' | 'rgba' = 'bgra') {
  const screen = new FakeScreenSource(320, 240, channelOrder);
  const damage = new FakeDamageSource(screen, 320, 240);
  const grabbed: GrabbedArea[] = [];
  const source = trackDamage(screen, damage, { onGrabbed: (area) => grabbed.push(area) });
  return { screen, damage, source, grabbed };
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

  test('damage that did not really change pixels is dropped by the tile comparison', async () => {
    const { damage, source } = setup();
    const first = await source.grab();
    damage.damageOnly({ x: 64, y: 64, width: 100, height: 100 });
    const second = await source.grab();
    expect(damage.regionsRead).toHaveLength(1);
    expect(planUpdate(first, second)).toEqual({ kind: 'none' });
  });

  test('damage over most of the screen is read as one whole frame by the full-frame source', async () => {
    const { screen, damage, source, grabbed } = setup();
    await source.grab();
    damage.paint({ x: 0, y: 0, width: 320, height: 130 }, [1, 1, 1]); // 54 % of the screen
    await source.grab();
    expect(grabbed).toEqual(['full', 'full']);
    expect(damage.regionsRead).toEqual([]);
    expect(screen.grabs).toBe(2);
  });

  test('a full hint, or damage that lost track, reads the whole screen, repairing what tracking missed', async () => {
    const { screen, damage, source, grabbed } = setup();
    await source.grab();
    damage.paintSilently({ x: 5, y: 5, width: 5, height: 5 }, [1, 2, 3]);
    const refreshed = await source.grab({ full: true });
    expect(pixelAt(refreshed, 6, 6)).toEqual([1, 2, 3]);
    damage.loseTrack();
    await source.grab();
    expect(grabbed).toEqual(['full', 'full', 'full']);
    expect(screen.grabs).toBe(3);
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
    const { screen, damage, source, grabbed } = setup();
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
  test('plans exactly what a whole-frame comparison plans, for changes reported by damage', async () => {
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
      expect(planUpdate(prev, next)).toEqual(planUpdate(prev, plain));
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
    expect(planUpdate(first, linked)).toEqual({ kind: 'rects', rects: [{ x: 0, y: 0, width: 64, height: 64 }] });
    // ...and a frame of unknown lineage is compared everywhere.
    const other = await screen.grab();
    const plan = planUpdate(first, other);
    expect(plan).toEqual({ kind: 'rects', rects: [{ x: 0, y: 0, width: 64, height: 64 }, { x: 256, y: 192, width: 64, height: 48 }] });
  });
});
