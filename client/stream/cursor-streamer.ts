import type { Logger } from 'pino';
import {
  CURSOR_SHAPE_CACHE, CursorShapeCache, encodeBase64Url, type CursorPosMessage, type CursorShapeMessage,
} from '../../protocol';
import type { CursorSource } from '../capture/cursor-source';

/** Timer functions, injectable so tests run without waiting. */
export interface CursorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface CursorStreamerOptions {
  /** Poll this often while the pointer moves: at most this many `cursor-pos` a second is 1000 / it. */
  readonly movingIntervalMs: number;
  /** …and this often once it kept still for `settleMs`: a still pointer costs a few tiny round trips a second. */
  readonly stillIntervalMs: number;
  /**
   * …or this often, when the source says when the pointer moves (`onMove`): a move wakes the
   * streamer at once, and the slow poll only catches what moves the pointer without a device
   * (a program warping it). The 4 polls a second were 0.3 % of a core on a still screen, ten
   * times the rest of the agent (BENCHMARKS.md, still-cpu).
   */
  readonly stillIntervalWithMovesMs: number;
  readonly settleMs: number;
}

/** 30 positions a second while moving; 4 polls a second when still, one in 2 s when moves are reported. */
export const DEFAULT_CURSOR_STREAMER_OPTIONS: CursorStreamerOptions = Object.freeze({
  movingIntervalMs: 33,
  stillIntervalMs: 250,
  stillIntervalWithMovesMs: 2000,
  settleMs: 1000,
});

/** Where the streamer's messages go (the session seals them). */
export type CursorSend = (message: CursorShapeMessage | CursorPosMessage) => void;

const REAL_TIMERS: CursorTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/**
 * Sends the customer's pointer to the technician while a session lasts: each shape once
 * (the page keeps the last CURSOR_SHAPE_CACHE, as this side remembers), then
 * `cursor-pos` whenever the position or the shape changed since the last one sent. The
 * position is polled, fast while it moves and slowly once still, so a still pointer costs
 * next to nothing; a shape change is announced by the system and sent at once.
 */
export class CursorStreamer {
  private readonly sent = new CursorShapeCache<true>(CURSOR_SHAPE_CACHE);
  private readonly options: CursorStreamerOptions;
  private readonly timers: CursorTimers;
  private running = false;
  private timer: unknown;
  private stopShapes: (() => void) | undefined;
  private stopMoves: (() => void) | undefined;
  /** The shape shown now, as far as we know; undefined until the first one is read. */
  private currentShape: number | undefined;
  private lastSent: CursorPosMessage | undefined;
  private lastMoveAt = 0;
  /** One poll at a time: a change noticed meanwhile asks for another right after. */
  private polling: Promise<void> | undefined;
  private pollAgain = false;

  constructor(
    private readonly source: CursorSource,
    private readonly send: CursorSend,
    private readonly logger: Logger,
    options?: Partial<CursorStreamerOptions>,
    timers?: CursorTimers,
  ) {
    this.options = Object.freeze({ ...DEFAULT_CURSOR_STREAMER_OPTIONS, ...options });
    this.timers = timers ?? REAL_TIMERS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastMoveAt = this.timers.now();
    this.stopShapes = this.source.onShapeChange(() => {
      this.currentShape = undefined; // read it again
      this.pollNow();
    });
    // A move wakes a still streamer and sets the moving pace; while moving, the timer keeps up
    // already. Counted as a move even if the position turns out the same (a device pushing at
    // the screen's edge), so a stream of such events costs the moving pace, never a poll each.
    this.stopMoves = this.source.onMove?.(() => {
      if (this.moving()) return;
      this.lastMoveAt = this.timers.now();
      this.pollNow();
    });
    this.pollNow();
  }

  private moving(): boolean {
    return this.timers.now() - this.lastMoveAt < this.options.settleMs;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopShapes?.();
    this.stopShapes = undefined;
    this.stopMoves?.();
    this.stopMoves = undefined;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  private pollNow(): void {
    if (!this.running) return;
    if (this.polling !== undefined) {
      this.pollAgain = true;
      return;
    }
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.polling = this.poll().catch((err: unknown) => {
      this.logger.debug({ err: String(err) }, 'reading the pointer failed');
    }).finally(() => {
      this.polling = undefined;
      if (!this.running) return;
      if (this.pollAgain) {
        this.pollAgain = false;
        this.pollNow();
        return;
      }
      const still = this.source.onMove !== undefined ? this.options.stillIntervalWithMovesMs : this.options.stillIntervalMs;
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.pollNow();
      }, this.moving() ? this.options.movingIntervalMs : still);
    });
  }

  private async poll(): Promise<void> {
    if (this.currentShape === undefined) {
      const shape = await this.source.shape();
      if (!this.running) return;
      this.currentShape = shape.id;
      if (!this.sent.has(shape.id)) {
        this.sent.add(shape.id, true);
        this.send({
          type: 'cursor-shape', id: shape.id, width: shape.width, height: shape.height,
          hotX: shape.hotX, hotY: shape.hotY, rgba: encodeBase64Url(shape.rgba),
        });
      }
    }
    const position = await this.source.position();
    if (!this.running || this.currentShape === undefined) return;
    const last = this.lastSent;
    const visible = position.visible ?? true;
    if (last !== undefined && last.x === position.x && last.y === position.y && last.visible === visible && last.shape === this.currentShape) return;
    if (last === undefined || last.x !== position.x || last.y !== position.y) this.lastMoveAt = this.timers.now();
    const message: CursorPosMessage = { type: 'cursor-pos', x: position.x, y: position.y, visible, shape: this.currentShape };
    this.lastSent = message;
    this.send(message);
  }
}
