import type { Logger } from 'pino';
import type { Rect } from '../diff/rect';
import type { DamageSource } from './damage-source';
import type { RawFrame } from './raw-frame';
import type { GrabHint, ScreenSource } from './screen-source';
import { VersionedShadow } from './versioned-shadow';

/**
 * Reads of damaged rectangles that may fail in a row (a GetImage timing out on a hung or
 * overloaded X server) before the source stops reporting changes and the streamer polls
 * full frames for the rest of the session. A single failure only costs one full read.
 */
export const MAX_REGION_FAILURES = 3;

/**
 * Damage covering this share of the screen or more is read as a whole frame by the
 * full-frame source instead: GetImage of a whole 1080p screen runs on the main thread (its
 * reply is parsed there) and takes longer than nut-js's grab in the capture worker
 * (0.71 ms per 400×300 region, about 12 ms scaled to 1080p, against 7.7 ms; BENCHMARKS.md).
 */
export const FULL_READ_AREA_RATIO = 0.5;

/** Numbers the frames of every damage-tracked source (see RawFrame.frameId). */
let lastFrameId = 0;

/** What one grab read from the display, for logs and tests: the whole screen or these rectangles. */
export type GrabbedArea = 'full' | readonly Rect[];

/**
 * Why a grab read the whole screen, logged beside it: a test (or a person reading a debug
 * log) can tell the reads this source chose (`first`, `requested`, `read-failed`, `polling`)
 * from those the desktop caused (`large-damage`: an application repainted half the screen
 * or more; `lost-track`: the X server's damage queue overflowed; `screen-grew`).
 */
export type FullReadReason =
  | 'first' | 'requested' | 'polling' | 'lost-track' | 'screen-grew' | 'large-damage' | 'read-failed';

/**
 * A screen source that reads only what changed. It keeps a full-frame copy of the screen
 * (the shadow) and, on each grab, reads the damaged rectangles from `damage` and pastes
 * them into it: the streamer still gets whole frames, so the tile comparison
 * (client/diff) drops rectangles that were damaged but did not really change (a caret
 * redrawn the same, a window repainted identically), and nothing downstream changes.
 *
 * `full` reads the whole screen for the first frame, a requested refresh (`hint.full`),
 * and whenever the damage source lost track (`'all'`). A grab of a still screen returns
 * the last frame itself: no read, no copy, and the streamer's comparison sees the same frame.
 *
 * Each frame says which frame it follows and where it differs from it (`frameId`,
 * `changedSince`), so the comparison looks only at the tiles the damage touched instead of
 * every row of the screen. Frames must stay immutable (the previous one is what the next
 * is compared with and may still be being encoded), yet the shadow is written in place:
 * {@link VersionedShadow} keeps what each paste overwrote for the frames made before it,
 * instead of copying 8 MB per damaged grab.
 */
export function trackDamage(full: ScreenSource, damage: DamageSource, options: {
  readonly logger?: Logger;
  /** Told what each grab read; for tests and benchmarks (never pixels). */
  readonly onGrabbed?: (area: GrabbedArea, why?: FullReadReason) => void;
} = {}): ScreenSource {
  const shadow = new VersionedShadow();
  let failures = 0;
  /** Gave up on damage: every grab reads the whole screen, and `changes` says it is no longer active. */
  let disabled = false;
  const report = (area: GrabbedArea, why?: FullReadReason, damaged?: readonly Rect[]): void => {
    options.logger?.debug({ grabbed: area, why, damaged }, 'screen read');
    options.onGrabbed?.(area, why);
  };
  /** `damaged`: the rectangles that made a large-damage read (a bounded batch), for the log. */
  const grabFull = async (why: FullReadReason, damaged?: readonly Rect[]): Promise<RawFrame> => {
    // Take (and forget) the damage first: what changes during the full read comes again.
    if (!disabled) damage.take();
    // Motion goes through the damage source's cheaper read; the first frame and a refresh
    // through the full-frame source (see readWholeScreen).
    const frame = shadow.reset(await (why === 'large-damage' ? readWholeScreen() : full.grab()), ++lastFrameId);
    report('full', why, damaged);
    return frame;
  };
  /**
   * The whole screen while it moves (damage over half of it): through the damage source
   * where it reads it more cheaply (X11: MIT-SHM, no 8 MB over a socket; in the glass scroll
   * scene the agent went from 46–60 % to 33–35 % of a core), else (or if that fails) the
   * full-frame source. Not for the first frame or a refresh: the full-frame source's
   * capture thread ends when idle and its memory goes with it, while a whole frame read
   * here stays in the agent's heap until a collection a still agent rarely runs (glass
   * still, 2026-12-02: 150–162 MiB RSS that way, 144–146 the other).
   */
  const readWholeScreen = async (): Promise<RawFrame> => {
    const viaDamage = !disabled && damage.healthy() ? damage.grabScreen?.() : undefined;
    if (viaDamage === undefined) return full.grab();
    try {
      return await viaDamage;
    } catch (error) {
      options.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'reading the whole screen through the damage source failed; using the full-frame source');
      return full.grab();
    }
  };
  return {
    name: `${full.name} + ${damage.name}`,
    changes: {
      pending: () => damage.pending(),
      active: () => !disabled && damage.healthy(),
      subscribe: (listener) => damage.onDamage(listener),
    },
    async grab(hint?: GrabHint): Promise<RawFrame> {
      const base = shadow.frame;
      if (base === undefined) return grabFull('first');
      if (hint?.full === true) return grabFull('requested');
      if (disabled || !damage.healthy()) return grabFull('polling');
      const batch = damage.take();
      if (batch === 'all') return grabFull('lost-track');
      const rects = batch.filter((r) => r.x + r.width <= base.width && r.y + r.height <= base.height);
      if (rects.length < batch.length) return grabFull('screen-grew'); // damage beyond the shadow
      if (rects.length === 0) return base;
      const damagedArea = rects.reduce((sum, r) => sum + r.width * r.height, 0);
      if (damagedArea >= FULL_READ_AREA_RATIO * base.width * base.height) return grabFull('large-damage', rects);
      let regions: RawFrame[];
      try {
        regions = await Promise.all(rects.map((r) => damage.grabRegion(r)));
      } catch (error) {
        // What these rectangles hold now is unknown: read everything (a full read also
        // takes the damage that came meanwhile). Repeated failures end the tracking.
        failures++;
        options.logger?.warn({ err: error instanceof Error ? error.message : String(error), failures }, 'reading damaged rectangles failed; reading the whole screen');
        if (failures >= MAX_REGION_FAILURES) {
          disabled = true;
          options.logger?.warn('damage-driven capture gave up: polling full frames from now on');
          void damage.close().catch(() => undefined);
        }
        return grabFull('read-failed');
      }
      failures = 0;
      if (shadow.frame !== base) return shadow.frame!; // a full grab replaced it meanwhile: it is newer
      // Says where to compare (changedSince): elsewhere this frame is `base`, byte for byte.
      const next = shadow.paste(rects, regions, ++lastFrameId);
      report(rects);
      return next;
    },
    async close(): Promise<void> {
      await damage.close();
      await full.close?.();
    },
  };
}
