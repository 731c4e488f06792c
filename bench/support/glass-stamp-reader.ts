/**
 * Reads the glass scene's stamp (bench/support/glass-scene.ts) out of pixels in Node, as
 * the meter does in a viewer page (bench/support/glass-meter.ts): for the processes of the
 * bench that read the screen straight off X.
 */
import type { DamageSource } from '../../client/capture/damage-source';
import type { Rect } from '../../client/diff/rect';
import { METER_AREA, SQUARE, STAMP } from './glass-scene';

export interface StampReading {
  readonly counter: number;
  /** The scene's Date.now() when it painted the stamp, made whole again by `now`'s high bits. */
  readonly sceneMs: number;
}

/** X's BGRX pixels into the RGBA an ImageData holds, in place. */
export function bgrxToRgba(data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 4) {
    const b = data[i]!;
    data[i] = data[i + 2]!;
    data[i + 2] = b;
    data[i + 3] = 255;
  }
}

/**
 * The stamp at the top left of `rgba`, an RGBA image of the meter's area, or undefined
 * when it is torn (the inverted rows do not disagree with the bit rows everywhere).
 */
export function readStamp(rgba: Uint8Array, now: number): StampReading | undefined {
  const lum = (x: number, y: number): number => luminanceAt(rgba, x, y);
  let counter = 0;
  let time = 0;
  for (let i = 0; i < STAMP.bits; i++) {
    const x = (i % STAMP.perRow) * STAMP.bit + (STAMP.bit >> 1);
    const y = Math.floor(i / STAMP.perRow) * STAMP.bit + (STAMP.bit >> 1);
    const bit = lum(x, y) > 127;
    if (bit === lum(x, y + 2 * STAMP.bit) > 127) return undefined;
    if (!bit) continue;
    if (i < STAMP.counterBits) counter += 2 ** i;
    else time += 2 ** (i - STAMP.counterBits);
  }
  return { counter, sceneMs: now - ((((now - time) % 2 ** 32) + 2 ** 32) % 2 ** 32) };
}

/** Whether the key scene's square is white (lit) at its centre in `rgba`, an RGBA image of the meter's area. */
export function squareLit(rgba: Uint8Array): boolean {
  return luminanceAt(rgba, SQUARE.x - METER_AREA.x + (SQUARE.size >> 1), SQUARE.y - METER_AREA.y + (SQUARE.size >> 1)) > 127;
}

/** The mean of R, G and B at (x, y) of `rgba`, an RGBA image of the meter's area. */
function luminanceAt(rgba: Uint8Array, x: number, y: number): number {
  const i = (y * METER_AREA.width + x) * 4;
  return (rgba[i]! + rgba[i + 1]! + rgba[i + 2]!) / 3;
}

/** True when damage `rects` may have changed the meter's area. */
function touchesMeterArea(rects: readonly Rect[] | 'all'): boolean {
  if (rects === 'all') return true;
  const A = METER_AREA;
  return rects.some((r) => r.x < A.x + A.width && r.x + r.width > A.x && r.y < A.y + A.height && r.y + r.height > A.y);
}

/**
 * Reads the meter's area off `damage`'s screen once per damage batch that touches it, and
 * hands it to `onArea` as RGBA with the time it was read, until the returned function is
 * called. Damage already pending is read at once: the source's listener hears only damage
 * that comes when none is pending. A failed read (the X connection went away) stops the
 * reading and goes to `onError`.
 */
export function readMeterAreaOnDamage(damage: DamageSource, onArea: (rgba: Uint8Array, readAtMs: number) => void,
  onError: (error: unknown) => void): () => void {
  let reading = false;
  let stopped = false;
  const readWhilePending = async (): Promise<void> => {
    while (!stopped && damage.pending()) {
      if (!touchesMeterArea(damage.take())) continue;
      const frame = await damage.grabRegion(METER_AREA);
      const readAtMs = Date.now();
      bgrxToRgba(frame.data);
      onArea(frame.data, readAtMs);
    }
  };
  const read = (): void => {
    if (reading || stopped) return;
    reading = true;
    readWhilePending().then(() => { reading = false; }, (error: unknown) => {
      stopped = true;
      onError(error);
    });
  };
  const unsubscribe = damage.onDamage(read);
  read();
  return () => {
    stopped = true;
    unsubscribe();
  };
}
