import { FrameGate, type FrameSink } from '../frame-gate';

/** A socket stand-in whose unsent bytes the test controls. */
class FakeSink implements FrameSink {
  backlog = 0;
  sent: Uint8Array[] = [];
  private callbacks: (() => void)[] = [];
  backlogBytes(): number {
    return this.backlog;
  }
  send(frame: Uint8Array, written: () => void): void {
    this.sent.push(frame);
    this.backlog += frame.byteLength;
    this.callbacks.push(written);
  }
  /** The operating system took everything. */
  drain(): void {
    this.backlog = 0;
    const cbs = this.callbacks;
    this.callbacks = [];
    for (const cb of cbs) cb();
  }
}

const frame = (n: number, size = 100): Uint8Array => new Uint8Array(size).fill(n);

describe('FrameGate', () => {
  test('sends while the backlog is under the limit', () => {
    const sink = new FakeSink();
    const gate = new FrameGate(sink, 250);
    expect(gate.offer(frame(1))).toBe('sent');
    expect(gate.offer(frame(2))).toBe('sent');
    expect(sink.sent).toHaveLength(2);
  });

  test('always sends into an empty socket, even a frame larger than the limit', () => {
    const sink = new FakeSink();
    const gate = new FrameGate(sink, 50);
    expect(gate.offer(frame(1, 500))).toBe('sent');
  });

  test('holds one frame when backed up; a newer one replaces it and counts as dropped', () => {
    const sink = new FakeSink();
    const gate = new FrameGate(sink, 150);
    gate.offer(frame(1));
    expect(gate.offer(frame(2))).toBe('held');
    expect(gate.offer(frame(3))).toBe('replaced');
    expect(gate.offer(frame(4))).toBe('replaced');
    expect(gate.dropped).toBe(2);
    expect(gate.heldBytes).toBe(100);
    sink.drain();
    expect(sink.sent.map((f) => f[0])).toEqual([1, 4]);
    expect(gate.heldBytes).toBe(0);
  });

  test('keeps order: nothing overtakes a held frame', () => {
    const sink = new FakeSink();
    const gate = new FrameGate(sink, 150);
    gate.offer(frame(1));
    gate.offer(frame(2)); // held
    sink.backlog = 0; // drained, but no write callback yet
    expect(gate.offer(frame(3))).toBe('replaced');
    sink.drain();
    expect(sink.sent.map((f) => f[0])).toEqual([1, 3]);
  });

  test('holds nothing after close', () => {
    const sink = new FakeSink();
    const gate = new FrameGate(sink, 150);
    gate.offer(frame(1));
    gate.offer(frame(2));
    gate.close();
    sink.drain();
    expect(sink.sent).toHaveLength(1);
    expect(gate.heldBytes).toBe(0);
  });
});
