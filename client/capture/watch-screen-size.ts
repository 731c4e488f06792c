import type { RawFrame } from './raw-frame';
import type { GrabHint, ScreenSource } from './screen-source';

/**
 * Wraps a screen source to notice the screen changing size (resolution change, a
 * monitor unplugged): `onResize` runs with the new size before the frame is used, so the
 * technician is told and clicks keep landing on the right pixel.
 */
export function watchScreenSize(source: ScreenSource, onResize: (width: number, height: number) => void): ScreenSource {
  let width = 0;
  let height = 0;
  return {
    name: source.name,
    async grab(hint?: GrabHint): Promise<RawFrame> {
      const frame = await source.grab(hint);
      if (frame.width !== width || frame.height !== height) {
        const first = width === 0;
        width = frame.width;
        height = frame.height;
        if (!first) onResize(width, height);
      }
      return frame;
    },
    ...(source.changes ? { changes: source.changes } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}
