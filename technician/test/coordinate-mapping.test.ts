import { canvasCssSize, fitScale, toClientPoint, toRemotePoint } from '../core/input/coordinate-mapping';

const SCREEN = { width: 1920, height: 1080 };

describe('pointer position → remote pixel', () => {
  it('maps at 1:1 with the canvas at an offset', () => {
    const box = { left: 100, top: 50, width: 1920, height: 1080 };
    expect(toRemotePoint(100, 50, box, SCREEN)).toEqual({ x: 0, y: 0 });
    expect(toRemotePoint(100 + 812.4, 50 + 440.9, box, SCREEN)).toEqual({ x: 812, y: 440 });
  });

  it.each([
    ['half size', 0.5],
    ['fit into 1280 wide', 1280 / 1920],
    ['odd fit scale', 0.4137],
    ['enlarged', 2],
  ])('maps at %s (scale %f) to the same remote pixel', (_name, scale) => {
    const box = { left: 37, top: 81, width: 1920 * scale, height: 1080 * scale };
    for (const target of [{ x: 0, y: 0 }, { x: 812, y: 440 }, { x: 1919, y: 1079 }, { x: 960, y: 540 }]) {
      const client = toClientPoint(target, box, SCREEN);
      expect(toRemotePoint(client.x, client.y, box, SCREEN)).toEqual(target);
    }
  });

  it('maps a scrolled 1:1 view (the box starts above and left of the viewport)', () => {
    // Scrolled by 700 × 300 inside a container at (0, 100): the canvas box begins off-screen.
    const box = { left: -700, top: 100 - 300, width: 1920, height: 1080 };
    expect(toRemotePoint(20, 110, box, SCREEN)).toEqual({ x: 720, y: 310 });
  });

  it('maps on a high-DPI display where 1:1 means half as many CSS pixels', () => {
    const css = canvasCssSize('one-to-one', SCREEN, { width: 800, height: 600 }, 2);
    expect(css).toEqual({ width: 960, height: 540 });
    const box = { left: 0, top: 0, ...css };
    expect(toRemotePoint(480, 270, box, SCREEN)).toEqual({ x: 960, y: 540 });
  });

  it('clamps points outside the canvas to its edge pixels', () => {
    const box = { left: 10, top: 10, width: 960, height: 540 };
    expect(toRemotePoint(-50, -50, box, SCREEN)).toEqual({ x: 0, y: 0 });
    expect(toRemotePoint(5000, 5000, box, SCREEN)).toEqual({ x: 1919, y: 1079 });
    expect(toRemotePoint(10 + 960, 10 + 540, box, SCREEN)).toEqual({ x: 1919, y: 1079 });
  });

  it('gives nothing before the screen size is known or for an empty box', () => {
    expect(toRemotePoint(1, 1, { left: 0, top: 0, width: 0, height: 0 }, SCREEN)).toBeUndefined();
    expect(toRemotePoint(1, 1, { left: 0, top: 0, width: 10, height: 10 }, { width: 0, height: 0 })).toBeUndefined();
  });
});

describe('canvas size on the page', () => {
  it('fits the whole screen into the container keeping the aspect ratio', () => {
    expect(fitScale(SCREEN, { width: 960, height: 1000 })).toBe(0.5);
    expect(canvasCssSize('fit', SCREEN, { width: 1000, height: 540 }, 1)).toEqual({ width: 960, height: 540 });
    // A small remote screen is enlarged to fill a large window.
    expect(canvasCssSize('fit', { width: 800, height: 600 }, { width: 1600, height: 1500 }, 1)).toEqual({ width: 1600, height: 1200 });
  });

  it('shows one remote pixel per device pixel at 1:1', () => {
    expect(canvasCssSize('one-to-one', SCREEN, { width: 100, height: 100 }, 1)).toEqual(SCREEN);
  });
});
