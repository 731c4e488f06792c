import { CoordinateMapper } from '../input/coordinate-mapper';

describe('CoordinateMapper', () => {
  test('is the identity when capture and input share a space', () => {
    const m = new CoordinateMapper(1920, 1080, 1920, 1080);
    expect(m.map(0, 0)).toEqual({ x: 0, y: 0 });
    expect(m.map(400, 300)).toEqual({ x: 400, y: 300 });
    expect(m.map(1919, 1079)).toEqual({ x: 1919, y: 1079 });
  });

  test('scales when the display is scaled (Retina: 2× pixels per point)', () => {
    const m = new CoordinateMapper(2880, 1800, 1440, 900);
    expect(m.map(1000, 600)).toEqual({ x: 500, y: 300 });
    expect(m.map(2879, 1799)).toEqual({ x: 1439, y: 899 });
  });

  test('scales at 125 % and 150 % too, rounding to the nearest point', () => {
    expect(new CoordinateMapper(2400, 1350, 1920, 1080).map(1001, 501)).toEqual({ x: 801, y: 401 });
    expect(new CoordinateMapper(2880, 1620, 1920, 1080).map(3, 3)).toEqual({ x: 2, y: 2 });
  });

  test('clamps outside points to the screen and follows resolution changes', () => {
    const m = new CoordinateMapper(800, 600, 800, 600);
    expect(m.map(5000, 5000)).toEqual({ x: 799, y: 599 });
    m.setCaptureSize(1600, 1200);
    expect(m.map(1600, 1200)).toEqual({ x: 799, y: 599 });
    expect(m.map(800, 600)).toEqual({ x: 400, y: 300 });
  });
});
