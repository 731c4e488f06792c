import { intersectRects, type Rect } from '../diff/rect';
import type { DisplayView } from './display-view';
import type { RawFrame } from './raw-frame';
import type { GrabHint, ScreenSource } from './screen-source';

/**
 * Hands the streamer only the part of each frame that `view` streams (one monitor), so
 * the diff, the encoder and the technician's canvas all work on that monitor alone.
 *
 * A crop is a view into the grabbed frame, not a copy: the same buffer, starting at the
 * area's first pixel, with the full frame's stride. Frames are never written after a grab
 * (RawFrame), so the view stays valid as long as anyone holds it.
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
      const crop = whole ? (sameArea ? frame : withoutChanges(frame)) : cropFrame(frame, area, sameArea);
      last = { frame, version, crop };
      return crop;
    },
    ...(source.changes ? { changes: source.changes } : {}),
    ...(source.close ? { close: () => source.close!() } : {}),
  };
}

/** The frame without `changedSince`: what it refers to was cropped elsewhere. */
function withoutChanges(frame: RawFrame): RawFrame {
  if (frame.changedSince === undefined) return frame;
  const { changedSince: _dropped, ...rest } = frame;
  return rest;
}

function cropFrame(frame: RawFrame, area: Rect, keepChanges: boolean): RawFrame {
  const offset = area.y * frame.stride + area.x * 4;
  const since = frame.changedSince;
  const crop: RawFrame = {
    width: area.width,
    height: area.height,
    stride: frame.stride,
    channelOrder: frame.channelOrder,
    data: frame.data.subarray(offset),
    ...(frame.frameId !== undefined ? { frameId: frame.frameId } : {}),
  };
  if (since === undefined || !keepChanges) return crop;
  const rects = since.rects.flatMap((r) => {
    const inside = intersectRects(r, area);
    return inside === undefined ? [] : [{ x: inside.x - area.x, y: inside.y - area.y, width: inside.width, height: inside.height }];
  });
  return { ...crop, changedSince: { previousId: since.previousId, rects } };
}
