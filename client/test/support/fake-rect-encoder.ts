import type { RawFrame } from '../../capture/raw-frame';
import type { Rect } from '../../diff/rect';
import type { EncodeOptions, RectEncoder } from '../../encode/rect-encoder';

/** One call seen by the fake encoder. */
export interface EncodeCall {
  readonly rect: Rect;
  readonly quality: number;
  /** Asked for at half resolution. */
  readonly halve: boolean;
}

/**
 * Stands in for a JPEG encoder: returns a few bytes naming the rectangle, records calls,
 * and can be made slow to test pacing.
 */
export class FakeRectEncoder implements RectEncoder {
  readonly name = 'fake';
  readonly format = 1 as const;
  readonly calls: EncodeCall[] = [];
  delayMs = 0;
  /** Says it can halve, as the sharp adapter does; a test sets it false for an encoder that cannot. */
  halves = true;

  async encode(_frame: RawFrame, rect: Rect, quality: number, options?: EncodeOptions): Promise<Uint8Array> {
    this.calls.push({ rect, quality, halve: options?.halve === true });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return Uint8Array.of(0xff, 0xd8, rect.width & 0xff, rect.height & 0xff, 0xff, 0xd9);
  }
}
