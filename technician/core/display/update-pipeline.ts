import { FrameFlag, type FrameHeader, type FrameMessage } from '../../../protocol';

/** Where decoded rectangles go (the canvas, or a fake in tests). */
export interface RectSink<T> {
  /** The remote screen changed size: resize before drawing anything of the new size. */
  resize(width: number, height: number): void;
  /** Draws one decoded rectangle at its place. Owns `rect` afterwards (may close it). */
  draw(rect: T, header: FrameHeader): void;
  /** Frees a decoded rectangle that will not be drawn. */
  discard?(rect: T): void;
}

/** Decodes one rectangle's image, ideally off the main thread (`createImageBitmap`). */
export type RectDecoder<T> = (frame: FrameMessage) => Promise<T>;

/** What the pipeline reports while drawing. */
export interface UpdatePipelineEvents {
  /** The LAST rectangle of update `seq` is drawn: acknowledge it now (PROTOCOL.md §7). */
  onUpdateDrawn(seq: number, captureTimeMs: number, header: FrameHeader): void;
  /** A rectangle could not be decoded; it was skipped. A full refresh repairs the picture. */
  onDecodeError?(header: FrameHeader, error: unknown): void;
}

interface Pending<T> {
  readonly header: FrameHeader;
  settled: boolean;
  value?: T;
  error?: unknown;
}

/**
 * Draws rectangles in arrival order although their decodes may finish in any order.
 *
 * Every rectangle starts decoding the moment it arrives (so several decode in parallel),
 * but is drawn only when everything before it has been drawn: a later rectangle of the
 * same area must land on top, and the acknowledgement must mean "all of this update is on
 * screen". The queue is bounded by the client's credit window (a couple of updates), so
 * no explicit limit is needed here.
 */
export class UpdatePipeline<T> {
  private readonly queue: Pending<T>[] = [];
  private screenWidth = 0;
  private screenHeight = 0;
  private generation = 0;

  constructor(
    private readonly decode: RectDecoder<T>,
    private readonly sink: RectSink<T>,
    private readonly events: UpdatePipelineEvents,
  ) {}

  /** Rectangles received but not drawn yet. */
  get pending(): number {
    return this.queue.length;
  }

  /** Accepts one decoded FRAME and starts decoding its image. */
  push(frame: FrameMessage): void {
    const entry: Pending<T> = { header: frame.header, settled: false };
    this.queue.push(entry);
    const generation = this.generation;
    let promise: Promise<T>;
    try {
      promise = this.decode(frame);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => this.settle(generation, entry, { value }),
      (error: unknown) => this.settle(generation, entry, { error: error ?? new Error('decode failed') }),
    );
  }

  /** Forgets everything pending (the session ended); late decodes are discarded. */
  reset(): void {
    this.generation++;
    for (const entry of this.queue.splice(0)) {
      if (entry.value !== undefined) this.sink.discard?.(entry.value);
    }
    this.screenWidth = 0;
    this.screenHeight = 0;
  }

  private settle(generation: number, entry: Pending<T>, result: { value?: T; error?: unknown }): void {
    if (generation !== this.generation) {
      if (result.value !== undefined) this.sink.discard?.(result.value);
      return;
    }
    entry.settled = true;
    if ('value' in result) entry.value = result.value;
    else entry.error = result.error;
    this.drain();
  }

  private drain(): void {
    while (this.queue.length > 0 && this.queue[0]!.settled) {
      const entry = this.queue.shift()!;
      const h = entry.header;
      if (h.screenWidth !== this.screenWidth || h.screenHeight !== this.screenHeight) {
        this.screenWidth = h.screenWidth;
        this.screenHeight = h.screenHeight;
        this.sink.resize(h.screenWidth, h.screenHeight);
      }
      if (entry.value !== undefined) this.sink.draw(entry.value, h);
      else this.events.onDecodeError?.(h, entry.error);
      // Acknowledge even after a decode error: holding the credit would stall the stream,
      // and the refresh asked for in onDecodeError repairs the picture.
      if (h.flags & FrameFlag.LAST) this.events.onUpdateDrawn(h.seq, h.captureTimeMs, h);
    }
  }
}
