/** Schedules a callback for the next display frame (requestAnimationFrame in the page). */
export interface FrameScheduler {
  request(callback: () => void): unknown;
  cancel(handle: unknown): void;
}

/**
 * Keeps only the newest pointer position and sends it once per animation frame. A mouse
 * reports up to 1000 moves a second; the customer's screen changes at most once a frame,
 * so more would only queue input behind input. Identical consecutive positions are sent
 * once.
 */
export class MoveCoalescer<P extends { readonly x: number; readonly y: number }> {
  private pending: P | undefined;
  private handle: unknown;
  private last: P | undefined;

  constructor(private readonly scheduler: FrameScheduler, private readonly send: (point: P) => void) {}

  /** A new position; sent at the next frame unless a newer one replaces it. */
  push(point: P): void {
    this.pending = point;
    if (this.handle === undefined) this.handle = this.scheduler.request(this.onFrame);
  }

  /**
   * Sends the waiting position now. Called before a button or wheel event, so the remote
   * pointer is where the technician sees it when the button goes down.
   */
  flush(): void {
    if (this.handle !== undefined) {
      this.scheduler.cancel(this.handle);
      this.handle = undefined;
    }
    const point = this.pending;
    this.pending = undefined;
    if (point === undefined) return;
    if (this.last !== undefined && this.last.x === point.x && this.last.y === point.y) return;
    this.last = point;
    this.send(point);
  }

  /** Records a position sent by other means (a button event carries x/y too). */
  noteSent(point: P): void {
    this.last = point;
  }

  /** Drops anything waiting (input was switched off). */
  cancel(): void {
    if (this.handle !== undefined) this.scheduler.cancel(this.handle);
    this.handle = undefined;
    this.pending = undefined;
  }

  private readonly onFrame = (): void => {
    this.handle = undefined;
    this.flush();
  };
}
