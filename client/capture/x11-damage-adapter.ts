import { connectX11, type X11Client } from '../support/x11-connect';
import { xReplyWithin } from '../support/x11-reply';
import type { Rect } from '../diff/rect';
import { DamageAccumulator } from './damage-accumulator';
import type { DamageSource } from './damage-source';
import type { RawFrame } from './raw-frame';
import { ALL_PLANES, openShmReader, Z_PIXMAP, type ShmReader, type XShm } from './x11-shm-reader';

/**
 * What changed on an X11 screen, from the DAMAGE extension, over the pure-JavaScript X
 * connection of the `x11` package (as the XTest typer uses it): nothing to compile.
 *
 * A Damage object on the root window at level DeltaRectangles makes the server send a
 * DamageNotify for each area the damaged region grows by; `take()` empties the server's
 * region (DamageSubtract) and hands over the rectangles collected since the last one.
 * Subtract, then GetImage, go on the same connection in that order, so the pixels read
 * include every damage reported before, and any damage after the Subtract raises a new
 * notify: nothing is lost between two takes (x0vncserver works the same way).
 *
 * The pixels of a damaged rectangle are read with GetImage on this same connection:
 * measured faster than nut-js `grabRegion` in the capture worker for a 400×300 region
 * (bench/capture.bench.ts, BENCHMARKS.md), and it keeps the order above. Where the server
 * offers MIT-SHM 1.2 on a local connection, the GetImage is MIT-SHM's (x11-shm-reader.ts):
 * the pixels come through a shared file instead of the socket, with less garbage.
 *
 * Failure is contained: a request that does not answer in `requestTimeoutMs` rejects,
 * an X error or a closed connection makes the next batch `'all'` (the streamer grabs the
 * whole screen with its full-frame source), and nothing here throws into the process.
 */

/** DamageReportLevel DeltaRectangles. */
const REPORT_DELTA_RECTANGLES = 1;
/**
 * The shared-memory segment for damaged rectangles holds this share of the screen: damage
 * covering half the screen or more is read whole (damage-tracked-source.ts), so any batch
 * read here fits; a rectangle that does not (the screen grew) is read over the socket. The
 * whole screen is read through a second segment of its own size (grabScreen).
 */
const SHARED_SEGMENT_SCREEN_SHARE = 0.5;

export interface X11DamageOptions {
  /** Longest wait for a reply, ms: a hung X server must not hang the streamer. */
  readonly requestTimeoutMs?: number;
  /** Rectangles kept per batch before they collapse into their bounding box. */
  readonly maxRects?: number;
  /** Read pixels through MIT-SHM where the server offers it (default true); false: the core GetImage only. */
  readonly sharedMemory?: boolean;
}

// Minimal typing of the parts of the `x11` package used here (it ships no types).
interface XImage {
  readonly depth: number;
  readonly data: Buffer;
}
interface DamageNotify {
  readonly name: string;
  readonly damage: number;
  readonly area: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly geometry: { readonly w: number; readonly h: number };
}
interface XClient extends X11Client {
  AllocID(): number;
  GetImage(format: number, drawable: number, x: number, y: number, w: number, h: number, planes: number,
    cb: (err: Error | null, image: XImage) => void): void;
  GetGeometry(drawable: number, cb: (err: Error | null, g: { width: number; height: number }) => void): void;
  require(ext: 'damage', cb: (err: Error | null, ext: XDamage) => void): void;
  require(ext: 'shm', cb: (err: Error | null, ext: XShm) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  on(event: 'event', listener: (ev: DamageNotify) => void): void;
  on(event: 'end' | 'close', listener: (err?: Error) => void): void;
  terminate(): void;
}
interface XDamage {
  readonly major: number;
  readonly minor: number;
  Create(damage: number, drawable: number, level: number): void;
  Destroy(damage: number): void;
  Subtract(damage: number, repair: number, parts: number): void;
}
interface XDisplay {
  readonly client: XClient & { on(event: 'error', l: (e: Error) => void): void };
  readonly screen: { readonly root: number; readonly root_depth: number; readonly pixel_width: number; readonly pixel_height: number }[];
  readonly format?: Record<number, { readonly bits_per_pixel: number; readonly scanline_pad: number }>;
}

/**
 * Connects to `displayName` and subscribes to damage on its root window. Rejects (so the
 * agent keeps polling full frames) when the display cannot be reached, has no DAMAGE, or
 * does not use 32-bit BGRX pixels at depth 24, the only layout read here.
 */
export async function createX11DamageSource(displayName: string, options: X11DamageOptions = {}): Promise<DamageSource> {
  const timeoutMs = options.requestTimeoutMs ?? 2000;
  const display = await connectX11<XDisplay>(displayName, timeoutMs);
  const X = display.client;
  let broken: Error | undefined;
  const accumulator = new DamageAccumulator(options.maxRects);
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // A listener's bug is the listener's: the X connection's handlers must not throw.
      }
    }
  };
  const fail = (err: Error): void => {
    broken ??= err;
    const wasPending = accumulator.pending;
    accumulator.loseTrack();
    if (!wasPending) notify();
  };
  // Request errors and a dropped connection: the next batch is 'all', a grab rejects.
  X.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
  X.on('end', () => fail(new Error('X11 connection closed')));
  try {
    const screen = display.screen[0];
    if (!screen) throw new Error('X11 display has no screen');
    const bpp = display.format?.[screen.root_depth]?.bits_per_pixel;
    if (screen.root_depth !== 24 || bpp !== 32) throw new Error(`X11 root is depth ${screen.root_depth} at ${bpp} bpp; only 24 at 32 is read`);
    const damage = await xReplyWithin<XDamage>('DAMAGE extension', timeoutMs, (done) => X.require('damage', done));
    const root = screen.root;
    let width = screen.pixel_width;
    let height = screen.pixel_height;
    const id = X.AllocID();
    X.on('event', (ev) => {
      if (ev.name !== 'DamageNotify' || ev.damage !== id) return;
      const wasPending = accumulator.pending;
      if (ev.geometry.w !== width || ev.geometry.h !== height) {
        // The root changed size (RandR): what was collected is in the old geometry.
        width = ev.geometry.w;
        height = ev.geometry.h;
        accumulator.loseTrack();
      } else {
        accumulator.add({ x: ev.area.x, y: ev.area.y, width: ev.area.w, height: ev.area.h });
      }
      if (!wasPending && accumulator.pending) notify();
    });
    damage.Create(id, root, REPORT_DELTA_RECTANGLES);
    // A round trip: an error in Create (no DAMAGE after all) shows up before we say we work.
    await xReplyWithin('GetGeometry', timeoutMs, (done) => X.GetGeometry(root, done));
    if (broken) throw broken;
    const segmentBytes = Math.ceil(width * height * SHARED_SEGMENT_SCREEN_SHARE) * 4;
    const shm: ShmReader | undefined = options.sharedMemory === false
      ? undefined
      : await openShmReader(X, root, segmentBytes, timeoutMs);
    // Whole-screen reads while the screen moves (damage over half of it): without it they
    // come from the full-frame source, nut-js, whose 8 MB reply crosses the socket.
    const screenShm: ShmReader | undefined = shm === undefined ? undefined : await openShmReader(X, root, width * height * 4, timeoutMs);
    if (broken) {
      shm?.close();
      screenShm?.close();
      throw broken;
    }

    const readCore = async (rect: Rect): Promise<Uint8Array> => {
      const image = await xReplyWithin<XImage>('GetImage', timeoutMs,
        (done) => X.GetImage(Z_PIXMAP, root, rect.x, rect.y, rect.width, rect.height, ALL_PLANES, done));
      return image.data;
    };
    let closed = false;
    return {
      name: `x11-damage ${damage.major}.${damage.minor}${shm !== undefined ? ` (${shm.name})` : ''}`,
      pending: () => accumulator.pending,
      healthy: () => broken === undefined && !closed,
      onDamage(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      take() {
        // Empty the server's region first: damage from now on raises a new notify.
        if (!broken && !closed) damage.Subtract(id, 0, 0);
        return accumulator.take(width, height);
      },
      grabScreen(): Promise<RawFrame> | undefined {
        if (broken || closed || screenShm === undefined) return undefined;
        const w = width;
        const h = height;
        // Undefined once the screen outgrew the segment: the full-frame source reads it then.
        return screenShm.read({ x: 0, y: 0, width: w, height: h })?.then((data): RawFrame => ({ width: w, height: h, stride: w * 4, channelOrder: 'bgra', data }));
      },
      async grabRegion(rect: Rect): Promise<RawFrame> {
        if (broken) throw broken;
        if (closed) throw new Error('x11-damage closed');
        const data = await (shm?.read(rect) ?? readCore(rect));
        const stride = rect.width * 4;
        if (data.byteLength < stride * rect.height) throw new Error(`X11 GetImage: ${data.byteLength} bytes for ${rect.width}x${rect.height}`);
        // 32-bit ZPixmap at depth 24 on a little-endian server: B, G, R, unused. Both reads
        // hand out a buffer of their own (the x11 package's FrameBuffer.get, or the
        // shared-memory reader's copy): ours to keep.
        return { width: rect.width, height: rect.height, stride, channelOrder: 'bgra', data };
      },
      async close() {
        if (closed) return;
        closed = true;
        listeners.clear();
        try {
          shm?.close();
          screenShm?.close();
          if (!broken) damage.Destroy(id);
          X.terminate();
        } catch {
          // Already gone.
        }
      },
    };
  } catch (error) {
    try {
      X.terminate();
    } catch {
      // Already gone.
    }
    throw error;
  }
}
