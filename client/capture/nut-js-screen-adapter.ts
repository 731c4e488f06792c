import type { ChannelOrder, RawFrame } from './raw-frame';
import type { ScreenSource } from './screen-source';

/**
 * Screen capture through `screen.grab()` of `@nut-tree-fork/nut-js` (libnut: XGetImage on
 * X11, GDI on Windows, CoreGraphics on macOS). ≈21 ms a 1080p frame on the reference
 * machine, against ≈234 ms for screenshot-desktop, so this is the primary path.
 *
 * libnut's capture is a synchronous native call: it blocks the event loop for the whole
 * grab (7–20 ms at 1080p here). The agent therefore runs this source inside a worker
 * thread (worker-screen-adapter.ts) and uses it directly only as a fallback.
 *
 * libnut also opens its X connection once per process and keeps it: a process cannot
 * switch to another DISPLAY later, and dies with its X server.
 *
 * The module is loaded lazily inside {@link createNutJsScreenSource}, so a machine where
 * the native binding cannot load (no DISPLAY, missing libXtst) gets a rejected promise
 * that the chooser turns into a fallback, instead of a crash at import time.
 */

/** nut-js `ColorMode.BGR`; its enum is `BGR = 0, RGB = 1`. Kept here to avoid importing it eagerly. */
const NUT_COLOR_MODE_RGB = 1;

/** What we read from nut-js's `Image`; its class is not needed, only these fields. */
interface NutImage {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
  readonly channels: number;
  readonly byteWidth: number;
  readonly colorMode: number;
  readonly pixelDensity: { readonly scaleX: number; readonly scaleY: number };
}

/** Turns a nut-js image into a RawFrame without copying the pixels. */
export function nutImageToRawFrame(image: NutImage): RawFrame {
  if (image.channels !== 4) {
    // libnut always captures 32-bit pixels today; a 3-channel image would need a copy.
    throw new Error(`nut-js returned ${image.channels} channels; 4 expected`);
  }
  const channelOrder: ChannelOrder = image.colorMode === NUT_COLOR_MODE_RGB ? 'rgba' : 'bgra';
  // width/height are the buffer's (physical) pixels; pixelDensity only relates them to
  // logical points on HiDPI screens, which input mapping will care about, not capture.
  return { width: image.width, height: image.height, stride: image.byteWidth, channelOrder, data: image.data };
}

/**
 * Loads nut-js and checks that one grab works (so a missing DISPLAY is found now, not
 * at the first frame). Rejects when the native module or the display is unavailable.
 */
export async function createNutJsScreenSource(): Promise<ScreenSource> {
  const nut = await import('@nut-tree-fork/nut-js');
  const screen = nut.screen;
  const grab = async (): Promise<RawFrame> => nutImageToRawFrame(await screen.grab());
  await grab();
  return { name: 'nut-js', grab };
}
