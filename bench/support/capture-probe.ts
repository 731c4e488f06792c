/**
 * Child process of the capture benchmark: grabs from $DISPLAY through both screen
 * sources and reports ms per frame over IPC. A child because libnut binds to the first
 * X display it sees for the life of the process.
 */
import { createNutJsScreenSource } from '../../client/capture/nut-js-screen-adapter';
import { createScreenshotDesktopSource } from '../../client/capture/screenshot-desktop-adapter';
import { median, timeRuns } from './benchmark';

export interface CaptureProbeResult {
  readonly kind: 'capture-result';
  readonly nutMs: number;
  readonly screenshotMs: number;
  readonly screenshotName: string;
  readonly width: number;
  readonly height: number;
  readonly channelOrder: string;
  /** Share of sampled pixels that are not black: the desktop picture really was on screen. */
  readonly litShare: number;
  /** Pixel at the probe point as [r, g, b], read through the frame's channelOrder. */
  readonly probeRgb: readonly [number, number, number];
}

/** Where the bench checks the colour: inside the first window's blue title bar. */
export const PROBE_POINT = Object.freeze({ x: 700, y: 75 });

async function main(): Promise<void> {
  const nut = await createNutJsScreenSource();
  const shot = await createScreenshotDesktopSource();
  const frame = await nut.grab();
  let lit = 0;
  let samples = 0;
  for (let i = 0; i < frame.data.length; i += 4 * 997, samples++) {
    if (frame.data[i]! + frame.data[i + 1]! + frame.data[i + 2]! > 0) lit++;
  }
  const p = PROBE_POINT.y * frame.stride + PROBE_POINT.x * 4;
  const [r, g, b] = frame.channelOrder === 'bgra' ? [p + 2, p + 1, p] : [p, p + 1, p + 2];
  const probeRgb = [frame.data[r]!, frame.data[g]!, frame.data[b]!] as const;
  const nutMs = median(await timeRuns(30, () => nut.grab()));
  const screenshotMs = median(await timeRuns(5, () => shot.grab(), 1));
  const result: CaptureProbeResult = {
    kind: 'capture-result', nutMs, screenshotMs, screenshotName: shot.name,
    width: frame.width, height: frame.height, channelOrder: frame.channelOrder, litShare: lit / samples, probeRgb,
  };
  process.send?.(result);
  process.disconnect?.();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
