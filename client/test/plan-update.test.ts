import { DEFAULT_PLAN_OPTIONS, planUpdate } from '../diff/plan-update';
import { FakeScreenSource } from './support/fake-screen-source';

describe('planUpdate', () => {
  it('sends a full frame when there is nothing to diff against', async () => {
    const screen = new FakeScreenSource(640, 480);
    expect(planUpdate(undefined, await screen.grab())).toEqual({ kind: 'full', reason: 'first' });
  });

  it('sends nothing for a still screen', async () => {
    const screen = new FakeScreenSource(640, 480);
    expect(planUpdate(await screen.grab(), await screen.grab())).toEqual({ kind: 'none' });
  });

  it('sends the tiles around a small change', async () => {
    const screen = new FakeScreenSource(640, 480);
    const before = await screen.grab();
    screen.paint({ x: 100, y: 100, width: 10, height: 10 }, [0, 255, 0]);
    expect(planUpdate(before, await screen.grab())).toEqual({ kind: 'rects', rects: [{ x: 64, y: 64, width: 64, height: 64 }] });
  });

  it('sends a full frame after a resize', async () => {
    const screen = new FakeScreenSource(640, 480);
    const before = await screen.grab();
    screen.resize(800, 600);
    expect(planUpdate(before, await screen.grab())).toEqual({ kind: 'full', reason: 'resized' });
  });

  it('sends a full frame when most of the screen changed', async () => {
    const screen = new FakeScreenSource(640, 480);
    const before = await screen.grab();
    screen.paint({ x: 0, y: 0, width: 640, height: 300 }, [9, 9, 9]);
    expect(planUpdate(before, await screen.grab())).toEqual({ kind: 'full', reason: 'large-change' });
  });

  it('sends one bounding box when the change is scattered into too many rectangles', async () => {
    const screen = new FakeScreenSource(1920, 1080);
    const before = await screen.grab();
    // A diagonal of 1-px dots in 10 tiles: 10 separate rectangles, over the cap of 8.
    for (let i = 0; i < 10; i++) screen.paint({ x: i * 64, y: i * 64, width: 1, height: 1 }, [255, 0, 0]);
    const plan = planUpdate(before, await screen.grab(), { ...DEFAULT_PLAN_OPTIONS, maxRects: 8 });
    expect(plan).toEqual({ kind: 'rects', rects: [{ x: 0, y: 0, width: 640, height: 640 }] });
  });
});
