import type { ChannelOrder, RawFrame } from '../../capture/raw-frame';
import type { ScreenSource } from '../../capture/screen-source';
import type { Rect } from '../../diff/rect';

/** A colour as [r, g, b]. */
export type Rgb = readonly [number, number, number];

/**
 * A screen in memory standing in for the display in unit tests. Tests paint on it;
 * each grab returns a copy, as a real grabber returns a new buffer each time.
 */
export class FakeScreenSource implements ScreenSource {
  readonly name = 'fake';
  grabs = 0;
  /** When set, the next grab rejects with it (once). */
  failNext: Error | undefined;
  private pixels: Uint8Array;

  constructor(
    private width: number,
    private height: number,
    readonly channelOrder: ChannelOrder = 'bgra',
    /** Extra bytes at the end of each row, as some grabbers pad rows. */
    private readonly rowPadding = 0,
  ) {
    this.pixels = new Uint8Array(this.stride * height);
  }

  get stride(): number {
    return this.width * 4 + this.rowPadding;
  }

  async grab(): Promise<RawFrame> {
    this.grabs++;
    const error = this.failNext;
    if (error) {
      this.failNext = undefined;
      throw error;
    }
    return { width: this.width, height: this.height, stride: this.stride, channelOrder: this.channelOrder, data: this.pixels.slice() };
  }

  /** The pixels of `rect` as a frame of its size, as a damage source reads them; not counted as a grab. */
  readRegion(rect: Rect): RawFrame {
    const stride = rect.width * 4;
    const data = new Uint8Array(stride * rect.height);
    for (let y = 0; y < rect.height; y++) {
      const src = (rect.y + y) * this.stride + rect.x * 4;
      data.set(this.pixels.subarray(src, src + stride), y * stride);
    }
    return { width: rect.width, height: rect.height, stride, channelOrder: this.channelOrder, data };
  }

  /** Fills `rect` with one colour. */
  paint(rect: Rect, [r, g, b]: Rgb): void {
    const order = this.channelOrder === 'bgra' ? [b, g, r] : [r, g, b];
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      for (let x = rect.x; x < rect.x + rect.width; x++) {
        const i = y * this.stride + x * 4;
        this.pixels[i] = order[0]!;
        this.pixels[i + 1] = order[1]!;
        this.pixels[i + 2] = order[2]!;
        this.pixels[i + 3] = 0;
      }
    }
  }

  /**
   * Fills `rect` with pseudo-random colours from `seed` (the same seed, the same pixels): what
   * a photograph or video is to a compressor, nothing it can shrink.
   */
  paintNoise(rect: Rect, seed: number): void {
    let state = seed;
    const next = (): number => { state = (state * 1103515245 + 12345) & 0x7fffffff; return (state >> 16) & 255; };
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      for (let x = rect.x; x < rect.x + rect.width; x++) this.paint({ x, y, width: 1, height: 1 }, [next(), next(), next()]);
    }
  }

  /** Changes the screen size; the content becomes black. */
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(this.stride * height);
  }
}

/** Reads pixel (x, y) of a frame as [r, g, b]. */
export function pixelAt(frame: RawFrame, x: number, y: number): Rgb {
  const i = y * frame.stride + x * 4;
  const d = frame.data;
  return frame.channelOrder === 'bgra' ? [d[i + 2]!, d[i + 1]!, d[i]!] : [d[i]!, d[i + 1]!, d[i + 2]!];
}
