import { splitIntoBands } from '../encode/split-bands';

describe('splitIntoBands', () => {
  it('cuts a full 1080p frame into bands on 16-row boundaries that tile it exactly', () => {
    const bands = splitIntoBands({ x: 0, y: 0, width: 1920, height: 1080 }, { maxBands: 4, minBandPixels: 250_000 });
    expect(bands).toEqual([
      { x: 0, y: 0, width: 1920, height: 272 },
      { x: 0, y: 272, width: 1920, height: 272 },
      { x: 0, y: 544, width: 1920, height: 272 },
      { x: 0, y: 816, width: 1920, height: 264 },
    ]);
  });

  it('leaves small rectangles whole', () => {
    const rect = { x: 448, y: 256, width: 512, height: 384 };
    expect(splitIntoBands(rect, { maxBands: 4, minBandPixels: 250_000 })).toEqual([rect]);
  });

  it('never cuts more bands than allowed', () => {
    expect(splitIntoBands({ x: 0, y: 0, width: 1920, height: 1080 }, { maxBands: 1, minBandPixels: 1 })).toHaveLength(1);
  });
});
