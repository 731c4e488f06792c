import { FrameFlag, type FrameHeader } from '../../protocol';
import { decodedSizeProblem } from '../core/display/canvas-display';

const RECT: FrameHeader = {
  flags: FrameFlag.LAST, seq: 1, captureTimeMs: 1, displayId: 0, format: 1, rectIndex: 0,
  x: 0, y: 0, width: 1920, height: 544, screenWidth: 1920, screenHeight: 1080,
};
const SCALED: FrameHeader = { ...RECT, flags: FrameFlag.LAST | FrameFlag.SCALED, scaledImage: { width: 960, height: 272 } };

describe('the page draws an image only if it has the size its header promises', () => {
  it('a plain rectangle: exactly the rectangle', () => {
    expect(decodedSizeProblem(RECT, 1920, 544)).toBeUndefined();
    expect(decodedSizeProblem(RECT, 960, 272)).toMatch(/960x272.*1920x544/);
    expect(decodedSizeProblem(RECT, 1921, 544)).toBeDefined();
    expect(decodedSizeProblem(RECT, 1920, 545)).toBeDefined();
  });

  it('a SCALED rectangle: exactly the declared smaller size, not the rectangle, not anything else', () => {
    expect(decodedSizeProblem(SCALED, 960, 272)).toBeUndefined();
    expect(decodedSizeProblem(SCALED, 1920, 544)).toMatch(/1920x544.*960x272/);
    expect(decodedSizeProblem(SCALED, 961, 272)).toBeDefined();
    expect(decodedSizeProblem(SCALED, 1, 1)).toBeDefined();
    expect(decodedSizeProblem(SCALED, 0, 0)).toBeDefined();
  });
});
