/**
 * Decides, for one technician socket, whether a frame goes out now or waits. When the
 * socket's unsent bytes pass `backlogBytes`, frames are held in a single slot that the
 * next frame replaces, so a slow reader costs at most one held frame plus the backlog,
 * however fast the client streams. A replaced frame is a drop: the caller then asks the
 * client for a full refresh, so the picture heals once the reader catches up.
 */
export interface FrameSink {
  /** Bytes accepted but not yet handed to the operating system. */
  backlogBytes(): number;
  /**
   * Sends; `written` is called once the bytes left the process. `receivedAtMs` is what was
   * offered with the frame (when the relay received it), passed through for the latency metric.
   */
  send(frame: Uint8Array, written: () => void, receivedAtMs: number | undefined): void;
}

export type OfferOutcome = 'sent' | 'held' | 'replaced';

export class FrameGate {
  private held: Uint8Array | undefined;
  private heldReceivedAtMs: number | undefined;
  private closed = false;
  /** Frames replaced before they could be sent. */
  dropped = 0;

  constructor(private readonly sink: FrameSink, private readonly backlogLimitBytes: number) {}

  offer(frame: Uint8Array, receivedAtMs?: number): OfferOutcome {
    if (this.closed) return 'replaced';
    const backlog = this.sink.backlogBytes();
    if (this.held === undefined && (backlog === 0 || backlog + frame.byteLength <= this.backlogLimitBytes)) {
      this.sink.send(frame, this.onWritten, receivedAtMs);
      return 'sent';
    }
    const replaced = this.held !== undefined;
    if (replaced) this.dropped++;
    this.held = frame;
    this.heldReceivedAtMs = receivedAtMs;
    return replaced ? 'replaced' : 'held';
  }

  /** Bytes held back in the slot. */
  get heldBytes(): number {
    return this.held?.byteLength ?? 0;
  }

  /** Called after any write to the socket completes: the backlog may have drained. */
  readonly onWritten = (): void => {
    if (this.closed || this.held === undefined) return;
    const backlog = this.sink.backlogBytes();
    if (backlog === 0 || backlog + this.held.byteLength <= this.backlogLimitBytes) {
      const frame = this.held;
      this.held = undefined;
      this.sink.send(frame, this.onWritten, this.heldReceivedAtMs);
    }
  };

  close(): void {
    this.closed = true;
    this.held = undefined;
  }
}
