import fc from 'fast-check';
import { DisplayView, WHOLE_DESKTOP_ID } from '../capture/display-view';
import type { Monitor } from '../capture/monitors';
import { MAX_MONITORS, parseXrandrMonitors } from '../capture/xrandr-monitors';
import { CoordinateMapper } from '../input/coordinate-mapper';
import { MAX_DISPLAYS } from '../../protocol';

const LEFT: Monitor = { name: 'L', x: 0, y: 0, width: 960, height: 1080, primary: false };
const RIGHT: Monitor = { name: 'R', x: 960, y: 0, width: 960, height: 1080, primary: true };

describe('parseXrandrMonitors', () => {
  test('reads xrandr --listmonitors: position, size, name and the primary mark', () => {
    const output = [
      'Monitors: 3',
      ' 0: +*DP-1 1920/527x1080/296+0+0  DP-1',
      ' 1: +HDMI-1 1280/338x1024/270+1920+0  HDMI-1',
      ' 2: R 960/254x1080/286+960+0 ',
      '',
    ].join('\n');
    expect(parseXrandrMonitors(output)).toEqual([
      { name: 'DP-1', primary: true, x: 0, y: 0, width: 1920, height: 1080 },
      { name: 'HDMI-1', primary: false, x: 1920, y: 0, width: 1280, height: 1024 },
      { name: 'R', primary: false, x: 960, y: 0, width: 960, height: 1080 },
    ]);
  });

  test('skips what is not a monitor line and drops monitors with no area', () => {
    expect(parseXrandrMonitors('Monitors: 2\n 0: +X 0/0x1080/1+0+0 X\ngarbage\n 1: Y 10/1x10/1+-5+-5 Y')).toEqual([
      { name: 'Y', primary: false, x: -5, y: -5, width: 10, height: 10 },
    ]);
    expect(parseXrandrMonitors('')).toEqual([]);
  });

  test('keeps at most MAX_MONITORS, so that with the whole desktop they fit in screen-info', () => {
    const many = Array.from({ length: 40 }, (_, i) => ` ${i}: M${i} 100/1x100/1+${i * 100}+0 M${i}`).join('\n');
    expect(parseXrandrMonitors(many)).toHaveLength(MAX_MONITORS);
    expect(MAX_MONITORS + 1).toBeLessThanOrEqual(MAX_DISPLAYS);
  });

  test('never throws, whatever the output', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (text) => {
      for (const m of parseXrandrMonitors(text)) {
        expect(m.width).toBeGreaterThan(0);
        expect(m.height).toBeGreaterThan(0);
      }
    }));
  });
});

describe('DisplayView', () => {
  test('to a page that cannot pick, lists only the whole desktop and streams it, as before monitors', () => {
    const view = new DisplayView();
    view.setPickable(false);
    view.setLayout(1920, 1080, [LEFT, RIGHT]);
    expect(view.describe()).toEqual({ displays: [{ id: 0, x: 0, y: 0, width: 1920, height: 1080, primary: true }], streaming: 0 });
    expect(view.area()).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(view.select(2)).toBe(false);
  });

  test('with one monitor there is nothing to pick', () => {
    const view = new DisplayView();
    view.setPickable(true);
    view.setLayout(1920, 1080, [{ ...RIGHT, x: 0, width: 1920 }]);
    expect(view.describe().displays).toHaveLength(1);
  });

  test('to a page that can pick, lists the desktop then each monitor, and streams the primary one first', () => {
    const view = new DisplayView();
    view.setPickable(true);
    view.setLayout(1920, 1080, [LEFT, RIGHT]);
    expect(view.describe()).toEqual({
      displays: [
        { id: 0, x: 0, y: 0, width: 1920, height: 1080, primary: false },
        { id: 1, x: 0, y: 0, width: 960, height: 1080, primary: false },
        { id: 2, x: 960, y: 0, width: 960, height: 1080, primary: true },
      ],
      streaming: 2,
    });
    expect(view.area()).toEqual({ x: 960, y: 0, width: 960, height: 1080 });
  });

  test('selects a listed display, refuses any other id, and changes its version only when the area moves', () => {
    const view = new DisplayView();
    view.setPickable(true);
    view.setLayout(1920, 1080, [LEFT, RIGHT]);
    const before = view.version;
    expect(view.select(1)).toBe(true);
    expect(view.area()).toEqual({ x: 0, y: 0, width: 960, height: 1080 });
    expect(view.version).not.toBe(before);
    const after = view.version;
    expect(view.select(1)).toBe(true);
    expect(view.version).toBe(after);
    for (const id of [3, 255, -1]) expect(view.select(id)).toBe(false);
    expect(view.describe().streaming).toBe(1);
    expect(view.select(WHOLE_DESKTOP_ID)).toBe(true);
    expect(view.area()).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
  });

  test('keeps the choice while the layout stays, and goes back to the default when the monitors change', () => {
    const view = new DisplayView();
    view.setPickable(true);
    view.setLayout(1920, 1080, [LEFT, RIGHT]);
    view.select(1);
    view.setLayout(1920, 1080, [LEFT, RIGHT]);
    expect(view.describe().streaming).toBe(1);
    view.setLayout(1920, 1080, [{ ...LEFT, width: 800 }, RIGHT]);
    expect(view.describe().streaming).toBe(2);
  });

  test('numbers the monitors left to right, whatever order the system lists them in', () => {
    const view = new DisplayView();
    view.setPickable(true);
    view.setLayout(1920, 1080, [RIGHT, LEFT]);
    expect(view.describe().displays.map((d) => [d.id, d.x])).toEqual([[0, 0], [1, 0], [2, 960]]);
    expect(view.describe().streaming).toBe(2);
  });

  test('clips monitors to the desktop and drops those outside it', () => {
    const view = new DisplayView();
    view.setPickable(true);
    view.setLayout(1000, 500, [{ ...LEFT, x: -100, width: 600 }, { ...RIGHT, x: 400, width: 900 }, { ...RIGHT, x: 5000, primary: false }]);
    expect(view.describe().displays.slice(1).map(({ x, width, height }) => ({ x, width, height }))).toEqual([
      { x: 0, width: 500, height: 500 },
      { x: 400, width: 600, height: 500 },
    ]);
  });
});

describe('CoordinateMapper with a view', () => {
  test('moves a click in the streamed monitor onto it, and holds points past its edge on it', () => {
    const mapper = new CoordinateMapper(1920, 1080, 1920, 1080);
    mapper.setView({ x: 960, y: 0, width: 960, height: 1080 });
    expect(mapper.map(0, 0)).toEqual({ x: 960, y: 0 });
    expect(mapper.map(100, 200)).toEqual({ x: 1060, y: 200 });
    expect(mapper.map(5000, 5000)).toEqual({ x: 1919, y: 1079 });
    mapper.setView({ x: 0, y: 0, width: 960, height: 1080 });
    expect(mapper.map(959, 10)).toEqual({ x: 959, y: 10 });
    expect(mapper.map(960, 10)).toEqual({ x: 959, y: 10 }); // never onto the next monitor
    mapper.setView(undefined);
    expect(mapper.map(1500, 10)).toEqual({ x: 1500, y: 10 });
  });

  test('scales after moving, when the input space differs from the captured pixels', () => {
    const mapper = new CoordinateMapper(3840, 1080, 1920, 540);
    mapper.setView({ x: 1920, y: 0, width: 1920, height: 1080 });
    expect(mapper.map(100, 100)).toEqual({ x: 1010, y: 50 });
  });
});
