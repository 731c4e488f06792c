import { cursorInView } from '../capture/cursor-in-view';
import type { CursorSource } from '../capture/cursor-source';
import { trackDamage } from '../capture/damage-tracked-source';
import { DisplayView } from '../capture/display-view';
import { cropToView } from '../capture/view-source';
import { planUpdate } from '../diff/plan-update';
import { cropToRgbHalf } from '../encode/crop-half';
import { cropToRgb } from '../encode/crop-pixels';
import { FakeDamageSource } from './support/fake-damage-source';
import { FakeScreenSource, pixelAt } from './support/fake-screen-source';

function twoMonitors(pickable = true) {
  const screen = new FakeScreenSource(320, 240, 'bgra', 8);
  const damage = new FakeDamageSource(screen, 320, 240);
  const view = new DisplayView();
  view.setPickable(pickable);
  view.setLayout(320, 240, [
    { name: 'L', x: 0, y: 0, width: 160, height: 240, primary: true },
    { name: 'R', x: 160, y: 0, width: 160, height: 240, primary: false },
  ]);
  const source = cropToView(trackDamage(screen, damage), view);
  return { screen, damage, view, source };
}

describe('cropToView', () => {
  test('hands over only the streamed monitor, without copying, with the pixels where they belong', async () => {
    const { screen, view, source } = twoMonitors();
    screen.paint({ x: 170, y: 10, width: 5, height: 5 }, [255, 0, 0]);
    screen.paint({ x: 10, y: 10, width: 5, height: 5 }, [0, 255, 0]);
    const left = await source.grab({ full: true });
    expect([left.width, left.height]).toEqual([160, 240]);
    expect(pixelAt(left, 12, 12)).toEqual([0, 255, 0]);
    view.select(2);
    const right = await source.grab({ full: true });
    expect([right.width, right.height]).toEqual([160, 240]);
    expect(pixelAt(right, 12, 12)).toEqual([255, 0, 0]);
    expect(right.stride).toBe(320 * 4 + 8);
    expect(pixelAt(right, 159, 239)).toEqual([0, 0, 0]);
  });

  test('with the whole desktop streamed, hands the frame over as it is', async () => {
    const { view, source } = twoMonitors();
    view.select(0);
    const frame = await source.grab();
    expect([frame.width, frame.height]).toEqual([320, 240]);
  });

  test('a still screen gives the very same crop, which the plan calls still without comparing', async () => {
    const { source } = twoMonitors();
    const first = await source.grab();
    expect(await source.grab()).toBe(first);
  });

  test('moves the damage into the monitor: a change on the other monitor is no change here, one on this monitor is found', async () => {
    const { damage, source } = twoMonitors();
    const first = await source.grab();
    damage.paint({ x: 200, y: 20, width: 30, height: 30 }, [9, 9, 9]); // on the right monitor
    const second = await source.grab();
    expect(second.changedSince?.rects).toEqual([]);
    expect(planUpdate(first, second)).toEqual({ kind: 'none' });
    damage.paint({ x: 150, y: 20, width: 30, height: 30 }, [200, 9, 9]); // across the edge
    const third = await source.grab();
    expect(third.changedSince?.rects).toEqual([{ x: 150, y: 20, width: 10, height: 30 }]);
    const plan = planUpdate(second, third);
    expect(plan.kind).toBe('rects');
  });

  test('after the monitor changes, the first crop says nothing of what changed since (it was cropped elsewhere)', async () => {
    const { damage, view, source } = twoMonitors();
    await source.grab();
    view.select(2);
    damage.paint({ x: 10, y: 20, width: 30, height: 30 }, [9, 9, 9]);
    const moved = await source.grab();
    expect(moved.changedSince).toBeUndefined();
    view.select(0);
    damage.paint({ x: 12, y: 20, width: 30, height: 30 }, [19, 9, 9]);
    const whole = await source.grab();
    expect(whole.width).toBe(320);
    expect(whole.changedSince).toBeUndefined();
  });
});

describe('cropToView over damage-driven frames', () => {
  test('crops and halves read the monitor through the frame\'s regions exactly as from a plain copy, also for a frame read after later pastes', async () => {
    const { screen, damage, view, source } = twoMonitors();
    view.select(2);
    screen.paint({ x: 160, y: 0, width: 160, height: 240 }, [10, 200, 30]);
    await source.grab({ full: true });
    damage.paint({ x: 170, y: 20, width: 50, height: 40 }, [250, 5, 90]);
    const older = await source.grab();
    damage.paint({ x: 180, y: 30, width: 60, height: 30 }, [5, 5, 250]); // pasted after `older` was made
    const newer = await source.grab();
    for (const frame of [older, newer]) {
      const plain = { width: frame.width, height: frame.height, stride: frame.stride, channelOrder: frame.channelOrder, data: frame.data.slice() };
      const rect = { x: 4, y: 10, width: 100, height: 60 };
      expect(Buffer.from(cropToRgb(frame, rect)).equals(Buffer.from(cropToRgb(plain, rect)))).toBe(true);
      expect(Buffer.from(cropToRgbHalf(frame, rect)).equals(Buffer.from(cropToRgbHalf(plain, rect)))).toBe(true);
    }
    expect(pixelAt(older, 30, 30)).toEqual([250, 5, 90]);
    expect(pixelAt(newer, 30, 30)).toEqual([5, 5, 250]);
  });
});

describe('cursorInView', () => {
  const pointerAt = (x: number, y: number): CursorSource => ({
    name: 'fake', shape: () => Promise.reject(new Error('unused')), onShapeChange: () => () => undefined,
    position: () => Promise.resolve({ x, y }), close: () => Promise.resolve(),
  });

  test('tells the pointer relative to the streamed monitor, hidden while it is on another one', async () => {
    const { view } = twoMonitors();
    view.select(2);
    expect(await cursorInView(pointerAt(200, 30), view).position()).toEqual({ x: 40, y: 30, visible: true });
    expect(await cursorInView(pointerAt(100, 30), view).position()).toEqual({ x: -60, y: 30, visible: false });
    view.select(0);
    expect(await cursorInView(pointerAt(100, 30), view).position()).toEqual({ x: 100, y: 30, visible: true });
  });
});
