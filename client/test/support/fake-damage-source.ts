import { DamageAccumulator } from '../../capture/damage-accumulator';
import type { DamageSource } from '../../capture/damage-source';
import type { RawFrame } from '../../capture/raw-frame';
import type { Rect } from '../../diff/rect';
import type { FakeScreenSource, Rgb } from './fake-screen-source';

/**
 * DAMAGE over a FakeScreenSource: `paint` changes the screen and reports the rectangle,
 * as the X server would; `damageOnly` reports without changing (a window repainted the
 * same); `paintSilently` changes without reporting (what tracking could miss).
 */
export class FakeDamageSource implements DamageSource {
  readonly name = 'fake-damage';
  /** Every rectangle read with grabRegion, in order. */
  readonly regionsRead: Rect[] = [];
  closed = false;
  /** What healthy() answers. */
  isHealthy = true;
  /** Reads the whole screen when a test sets it (as the X11 source does through shared memory); absent, the caller uses its full-frame source. */
  grabScreen?: () => Promise<RawFrame> | undefined;
  private readonly accumulator = new DamageAccumulator(8);
  private readonly listeners = new Set<() => void>();

  constructor(private readonly screen: FakeScreenSource, private readonly width: number, private readonly height: number) {}

  pending(): boolean {
    return this.accumulator.pending;
  }

  healthy(): boolean {
    return this.isHealthy;
  }

  onDamage(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  take(): readonly Rect[] | 'all' {
    return this.accumulator.take(this.width, this.height);
  }

  async grabRegion(rect: Rect): Promise<RawFrame> {
    this.regionsRead.push(rect);
    return this.screen.readRegion(rect);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  paint(rect: Rect, rgb: Rgb): void {
    this.screen.paint(rect, rgb);
    this.damageOnly(rect);
  }

  paintSilently(rect: Rect, rgb: Rgb): void {
    this.screen.paint(rect, rgb);
  }

  damageOnly(rect: Rect): void {
    const was = this.accumulator.pending;
    this.accumulator.add(rect);
    if (!was) for (const l of [...this.listeners]) l();
  }

  loseTrack(): void {
    const was = this.accumulator.pending;
    this.accumulator.loseTrack();
    if (!was) for (const l of [...this.listeners]) l();
  }
}
