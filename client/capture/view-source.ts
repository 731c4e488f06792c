import { intersectRects, type Rect } from '../diff/rect';
import type { DisplayView } from './display-view';
import { regionPixels, type PixelRegion, type RawFrame } from './raw-frame';
import type { GrabHint, ScreenSource } from './screen-source';

/**
 * Hands the streamer only the part of each frame that `view` streams (one monitor), so
 * the diff, the encoder and the technician's canvas all work on that monitor alone.
 *
 * A crop is a view of the grabbed frame, not a copy: its pixels are read through the frame
 * (cropFrame), so a damage-driven frame still hands out only the rectangles asked for.
 *
 * A damage-driven frame's `changedSince` is carried over, moved into the area's
 * coordinates, so the comparison still looks only where the screen changed (damage on
 * another monitor becomes no change at all). It is dropped on the first frame after the
 * area moved: the frame it refers to was cropped somewhere else.
 */
export function cropToView(source: ScreenSource, view: DisplayView): ScreenSource {
  let last: { frame: RawFrame; version: number; crop: RawFrame } | undefined;
  return {
    name: source.name,
    async grab(hint?: GrabHint): Promise<RawFrame> {
      const frame = await source.grab(hint);
      const version = view.version;
      // A still screen hands back the same frame: hand back the same crop, which the
      // streamer recognises as what it already has without comparing a byte.
      if (last !== undefined && last.frame === frame && last.version === version) return last.crop;
      const area = intersectRects(view.area(), { x: 0, y: 0, width: frame.width, height: frame.height });
      const sameArea = last?.version === version;
      const whole = area === undefined || (area.width === frame.width && area.height === frame.height);
      const all = { x: 0, y: 0, width: frame.width, height: frame.height };
      const crop = whole ? (sameArea || frame.changedSince === undefined ? frame : cropFrame(frame, all, false, view.streamingId))
        : cropFrame(frame, area!, sameArea, view.streamingId);
      last = { frame, version, crop };
      return crop;
    },
    ...(source.changes ? { changes: source.changes } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}

/**
 * A frame showing `area` of `frame` (the whole of it when `area` is the whole frame),
 * reading its pixels through the frame itself: `region` moves a rectangle into the frame's
 * coordinates, and `data` is a view into the frame's buffer made only when someone reads
 * it (a damage-driven frame builds its 8 MB buffer only then, see versioned-shadow.ts).
 * `changedSince` is carried over, moved into the area, when `keepChanges`.
 */
function cropFrame(frame: RawFrame, area: Rect, keepChanges: boolean, displayId: number): RawFrame {
  let view: Uint8Array | undefined;
  const since = frame.changedSince;
  const rects = since === undefined || !keepChanges ? undefined : since.rects.flatMap((r) => {
    const inside = intersectRects(r, area);
    return inside === undefined ? [] : [{ x: inside.x - area.x, y: inside.y - area.y, width: inside.width, height: inside.height }];
  });
  const crop: RawFrame = {
    width: area.width,
    height: area.height,
    stride: frame.stride,
    channelOrder: frame.channelOrder,
    ...(frame.frameId !== undefined ? { frameId: frame.frameId } : {}),
    ...(since !== undefined && rects !== undefined ? { changedSince: { previousId: since.previousId, rects } } : {}),
    displayId,
    get data(): Uint8Array {
      view ??= frame.data.subarray(area.y * frame.stride + area.x * 4);
      return view;
    },
  };
  Object.defineProperty(crop, 'region', {
    enumerable: false,
    value: (rect: Rect): PixelRegion => {
      const pixels = regionPixels(frame, { x: rect.x + area.x, y: rect.y + area.y, width: rect.width, height: rect.height });
      return { data: pixels.data, stride: pixels.stride, x: pixels.x - area.x, y: pixels.y - area.y };
    },
  });
  return crop;
}
