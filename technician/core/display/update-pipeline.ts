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

/**
 * Runs `present` when the display next refreshes (requestAnimationFrame in a visible page;
 * see `nextDisplayRefresh`). Called at most once while a call is outstanding.
 */
export type RefreshScheduler = (present: () => void) => void;

interface Pending<T> {
  readonly header: FrameHeader;
  settled: boolean;
  value?: T;
  error?: unknown;
}

/**
 * Refreshes in a row that a paced page may run one refresh late before it drops an update
 * to catch up. Measured on the region scene (60 updates a second; BENCHMARKS.md, "catching
 * up, measured on the viewer's own part"), as the page's own latency (on X → seen on its
 * canvas) against noVNC's in the same run: after 8, 29–30 ms against 14–15 (the page ran a
 * refresh late most of the time); after 0 to 2, 13–15 ms against 14–15, level with noVNC and
 * with the floor no viewer goes below, at 0.98–1.02× noVNC's frames. 2 keeps a short
 * collision from costing a frame.
 */
export const CATCH_UP_AFTER_REFRESHES = 2;

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
  /** A callback is asked for at the next refresh (only with a RefreshScheduler). */
  private refreshAsked = false;
  /**
   * An update was drawn since the last refresh: the screen will show it at the next one,
   * and another drawn before then would replace it unseen.
   */
  private drawnForNextRefresh = false;
  /** Refreshes in a row at which an update was held back behind one just shown. */
  private behindRefreshes = 0;

  /**
   * `nextRefresh`: pace drawing to the display's refreshes, at most one update shown per
   * refresh (see {@link onRefresh}); without it, every update is drawn once decoded.
   * `catchUpAfterRefreshes`: how many refreshes in a row the paced page may show updates
   * one refresh late before it drops one to catch up (see {@link onRefresh}).
   */
  constructor(
    private readonly decode: RectDecoder<T>,
    private readonly sink: RectSink<T>,
    private readonly events: UpdatePipelineEvents,
    private readonly nextRefresh?: RefreshScheduler,
    private readonly catchUpAfterRefreshes = CATCH_UP_AFTER_REFRESHES,
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
    this.refreshAsked = false;
    this.drawnForNextRefresh = false;
    this.behindRefreshes = 0;
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
    if (this.nextRefresh === undefined) {
      this.drawSettled(Infinity);
      return;
    }
    // The first update since the last refresh is drawn at once (a key's echo is not held
    // back); one more before the next refresh waits for it.
    if (!this.drawnForNextRefresh && this.completeUpdates() > 0) {
      this.drawSettled(1);
      this.drawnForNextRefresh = true;
    }
    this.askForRefresh();
  }

  /**
   * The display refreshes now: what was drawn since the last refresh is shown. If nothing
   * was, the oldest update held back is drawn here and shown now (a second one too when two
   * more wait, so that no update falls more than one refresh behind). If something was, the
   * held update must not be drawn yet, or it would replace that one unseen: it goes with the
   * next update that arrives, or at the next refresh.
   *
   * Why: updates arrive unevenly (network, decrypt and decode each add a few ms), and two
   * drawn between the same two refreshes show only the second: the technician never sees
   * the first. At 60 updates a second that lost about one in sixteen (BENCHMARKS.md, glass
   * region). The ack goes when an update is drawn, so the agent's credits follow what is shown.
   *
   * The cost: while updates keep coming once per refresh, a held one keeps every later one a
   * refresh late, for as long as the stream lasts. So after `catchUpAfterRefreshes`
   * refreshes in a row with an update held behind the one shown, the held updates are drawn
   * at this refresh, over the one drawn for it (never seen), and the page is on time again.
   */
  private onRefresh(generation: number): void {
    if (generation !== this.generation) return;
    this.refreshAsked = false;
    const somethingShownNow = this.drawnForNextRefresh;
    this.drawnForNextRefresh = false;
    const held = this.completeUpdates();
    if (!somethingShownNow) {
      this.behindRefreshes = 0;
      if (held > 0) this.drawSettled(held > 2 ? 2 : 1);
    } else if (held > 0 && ++this.behindRefreshes > this.catchUpAfterRefreshes) {
      this.behindRefreshes = 0;
      this.drawSettled(held);
    }
    this.askForRefresh();
  }

  /** Asks for the next refresh while something was drawn for it or waits to be drawn. */
  private askForRefresh(): void {
    if (this.refreshAsked || (!this.drawnForNextRefresh && this.completeUpdates() === 0)) return;
    this.refreshAsked = true;
    const generation = this.generation;
    this.nextRefresh!(() => this.onRefresh(generation));
  }

  /** Updates whose rectangles are all decoded (or failed) and next in line to be drawn. */
  private completeUpdates(): number {
    let complete = 0;
    for (const entry of this.queue) {
      if (!entry.settled) break;
      if (entry.header.flags & FrameFlag.LAST) complete++;
    }
    return complete;
  }

  /**
   * Draws settled rectangles in order, stopping after `maxUpdates` LAST rectangles (or at
   * the first one still decoding).
   */
  private drawSettled(maxUpdates: number): void {
    let updates = 0;
    while (updates < maxUpdates && this.queue.length > 0 && this.queue[0]!.settled) {
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
      if (h.flags & FrameFlag.LAST) {
        updates++;
        this.events.onUpdateDrawn(h.seq, h.captureTimeMs, h);
      }
    }
  }
}

/**
 * The page's RefreshScheduler: requestAnimationFrame while the page is visible. A hidden
 * page gets no animation frames, yet must keep drawing (and acknowledging, or the agent
 * stops sending; a recording keeps running): there a timer stands in, and one also backs up
 * a frame that does not come (the page was hidden after it was asked for).
 */
export function nextDisplayRefresh(doc: Pick<Document, 'visibilityState'>, win: Pick<Window, 'requestAnimationFrame' | 'setTimeout' | 'clearTimeout'>): RefreshScheduler {
  return (present) => {
    if (doc.visibilityState !== 'visible') {
      win.setTimeout(present, 0);
      return;
    }
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      win.clearTimeout(backup);
      present();
    };
    const backup = win.setTimeout(once, REFRESH_BACKUP_MS);
    win.requestAnimationFrame(once);
  };
}

/** Longer than any refresh interval (30 Hz and up), short enough not to stall the stream. */
const REFRESH_BACKUP_MS = 100;
