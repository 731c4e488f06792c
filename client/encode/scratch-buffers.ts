/**
 * Buffers lent out for the pixels an encoder reads and then gives back, instead of one new
 * buffer per encode.
 *
 * Why: each update's RGB copy (360 kB for a 400×300 region) is memory outside V8's heap,
 * and V8 counts such memory to decide when to run a full garbage collection. In the glass
 * benchmark's region scene the agent's heap stayed at 10–13 MB, yet it ran a full
 * collection two or three times a second ("GC in old space requested", `--trace-gc`),
 * driven by these and the X replies: about 0.65 s of its main thread in 17 s. Reusing the
 * few buffers in flight takes the RGB copies out of that count.
 *
 * Bounded: at most `maxKeptBytes` wait here between encodes; a buffer given back beyond
 * that, or too large to be worth keeping, is left to the garbage collector as before.
 */
export class ScratchBuffers {
  private readonly free: ArrayBuffer[] = [];
  private keptBytes = 0;

  constructor(private readonly maxKeptBytes: number) {}

  /**
   * A buffer of exactly `byteLength` bytes, 4-byte aligned at offset 0 of its own
   * ArrayBuffer, holding whatever it held before: the caller writes every byte it reads.
   */
  take(byteLength: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.byteLength;
      // The smallest that fits, and never one more than twice the size: a 6 MB full-frame
      // buffer lent for a 20 kB tile would sit unused while the next full frame allocates.
      if (size >= byteLength && size <= 2 * byteLength && (best < 0 || size < this.free[best]!.byteLength)) best = i;
    }
    if (best < 0) return new Uint8Array(new ArrayBuffer(byteLength));
    const [buffer] = this.free.splice(best, 1);
    this.keptBytes -= buffer!.byteLength;
    return new Uint8Array(buffer!, 0, byteLength);
  }

  /** Gives back a buffer from {@link take}, once nothing reads it any more. */
  give(view: Uint8Array): void {
    const buffer = view.buffer;
    if (!(buffer instanceof ArrayBuffer) || this.free.includes(buffer)) return;
    if (this.keptBytes + buffer.byteLength > this.maxKeptBytes) return;
    this.free.push(buffer);
    this.keptBytes += buffer.byteLength;
  }

  /** Bytes waiting to be lent again (for tests). */
  get bytesKept(): number {
    return this.keptBytes;
  }
}
