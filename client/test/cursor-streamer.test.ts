import pino from 'pino';
import type { CursorPosMessage, CursorShapeMessage } from '../../protocol';
import type { CursorShape, CursorSource, PointerPosition } from '../capture/cursor-source';
import { CursorStreamer, type CursorTimers } from '../stream/cursor-streamer';

/** A pointer that stands where the test puts it, with the shape the test gives it. */
class FakeCursor implements CursorSource {
  readonly name = 'fake';
  at: PointerPosition = { x: 10, y: 20 };
  current: CursorShape = shape(1);
  shapeReads = 0;
  positionReads = 0;
  private readonly listeners = new Set<(id: number) => void>();

  async shape(): Promise<CursorShape> {
    this.shapeReads++;
    return this.current;
  }

  onShapeChange(listener: (id: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async position(): Promise<PointerPosition> {
    this.positionReads++;
    return this.at;
  }

  changeShape(next: CursorShape): void {
    this.current = next;
    for (const l of this.listeners) l(next.id);
  }

  async close(): Promise<void> { /* nothing held */ }
}

/** A pointer whose system also says when it moves (as XInput 2 raw motion does on X11). */
class FakeCursorWithMoves extends FakeCursor {
  private readonly moveListeners = new Set<() => void>();

  onMove(listener: () => void): () => void {
    this.moveListeners.add(listener);
    return () => this.moveListeners.delete(listener);
  }

  moveTo(at: PointerPosition): void {
    this.at = at;
    for (const l of this.moveListeners) l();
  }
}

function shape(id: number): CursorShape {
  return { id, width: 2, height: 2, hotX: 1, hotY: 1, rgba: new Uint8Array(16).fill(id) };
}

/** Timers run by hand: the test says when time passes. */
class ManualTimers implements CursorTimers {
  private clock = 0;
  private pending: { at: number; fn: () => void; handle: number }[] = [];
  private nextHandle = 1;
  intervals: number[] = [];

  now(): number {
    return this.clock;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.intervals.push(ms);
    this.pending.push({ at: this.clock + ms, fn, handle });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.handle !== handle);
  }

  /** Runs the next timer and lets the poll it starts finish. */
  async next(): Promise<void> {
    await flush();
    this.pending.sort((a, b) => a.at - b.at);
    const due = this.pending.shift();
    if (due === undefined) throw new Error('no timer pending');
    this.clock = due.at;
    due.fn();
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function setup<C extends FakeCursor>(cursor: C = new FakeCursor() as C) {
  const timers = new ManualTimers();
  const sent: (CursorShapeMessage | CursorPosMessage)[] = [];
  const streamer = new CursorStreamer(cursor, (m) => sent.push(m), pino({ level: 'silent' }),
    { movingIntervalMs: 33, stillIntervalMs: 250, stillIntervalWithMovesMs: 2000, settleMs: 1000 }, timers);
  return { cursor, timers, sent, streamer };
}

describe('CursorStreamer', () => {
  it('sends the shape once, then the position, and nothing while the pointer keeps still', async () => {
    const { cursor, timers, sent, streamer } = setup();
    streamer.start();
    await flush();
    expect(sent).toEqual([
      { type: 'cursor-shape', id: 1, width: 2, height: 2, hotX: 1, hotY: 1, rgba: 'AQEBAQEBAQEBAQEBAQEBAQ' },
      { type: 'cursor-pos', x: 10, y: 20, visible: true, shape: 1 },
    ]);
    for (let i = 0; i < 40; i++) await timers.next();
    expect(sent).toHaveLength(2);
    expect(cursor.shapeReads).toBe(1);
    // Once still for the settle time, polls slow down to the still interval.
    expect(timers.intervals.slice(-5)).toEqual([250, 250, 250, 250, 250]);
    await streamer.stop();
  });

  it('follows a move at the moving pace and sends each new position once', async () => {
    const { cursor, timers, sent, streamer } = setup();
    streamer.start();
    await flush();
    for (let i = 0; i < 40; i++) await timers.next(); // still
    cursor.at = { x: 11, y: 20 };
    await timers.next();
    expect(sent.at(-1)).toEqual({ type: 'cursor-pos', x: 11, y: 20, visible: true, shape: 1 });
    expect(timers.intervals.at(-1)).toBe(33);
    cursor.at = { x: 12, y: 21 };
    await timers.next();
    await timers.next();
    expect(sent.filter((m) => m.type === 'cursor-pos').map((m) => [m.x, m.y])).toEqual([[10, 20], [11, 20], [12, 21]]);
    await streamer.stop();
  });

  it('sends a new shape at once when the system says it changed, and a shape seen before not again', async () => {
    const { cursor, sent, streamer } = setup();
    streamer.start();
    await flush();
    cursor.changeShape(shape(2));
    await flush();
    expect(sent.slice(2).map((m) => [m.type, m.type === 'cursor-shape' ? m.id : m.shape])).toEqual([['cursor-shape', 2], ['cursor-pos', 2]]);
    cursor.changeShape(shape(1));
    await flush();
    expect(sent.slice(4)).toEqual([{ type: 'cursor-pos', x: 10, y: 20, visible: true, shape: 1 }]);
    await streamer.stop();
  });

  it('with a source that reports moves, polls a still pointer seldom and follows a move at once', async () => {
    const { cursor, timers, sent, streamer } = setup(new FakeCursorWithMoves());
    streamer.start();
    await flush();
    for (let i = 0; i < 40; i++) await timers.next();
    expect(timers.intervals.slice(-3)).toEqual([2000, 2000, 2000]);
    const reads = cursor.positionReads;
    // The move is read right away, not at the next slow poll, and the moving pace follows.
    cursor.moveTo({ x: 50, y: 60 });
    await flush();
    expect(cursor.positionReads).toBe(reads + 1);
    expect(sent.at(-1)).toEqual({ type: 'cursor-pos', x: 50, y: 60, visible: true, shape: 1 });
    expect(timers.intervals.at(-1)).toBe(33);
    // More move events while moving add no polls of their own: the moving pace keeps up.
    cursor.moveTo({ x: 51, y: 60 });
    cursor.moveTo({ x: 52, y: 60 });
    await flush();
    expect(cursor.positionReads).toBe(reads + 1);
    await timers.next();
    expect(sent.at(-1)).toEqual({ type: 'cursor-pos', x: 52, y: 60, visible: true, shape: 1 });
    await streamer.stop();
  });

  it('sends nothing after stop', async () => {
    const { cursor, sent, streamer } = setup();
    streamer.start();
    await flush();
    await streamer.stop();
    const before = sent.length;
    cursor.changeShape(shape(3));
    await flush();
    expect(sent).toHaveLength(before);
  });
});
