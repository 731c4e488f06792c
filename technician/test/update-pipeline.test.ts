import { FrameFlag, ImageFormat, type FrameHeader, type FrameMessage } from '../../protocol';
import { nextDisplayRefresh, UpdatePipeline, type RectSink, type RefreshScheduler } from '../core/display/update-pipeline';

interface Deferred { resolve(v: string): void; reject(e: unknown): void }

function frame(seq: number, rectIndex: number, flags: number, extra: Partial<FrameHeader> = {}): FrameMessage {
  return {
    kind: 'frame',
    header: {
      flags, seq, captureTimeMs: 1000 + seq, displayId: 0, format: ImageFormat.JPEG, rectIndex,
      x: rectIndex * 10, y: 0, width: 10, height: 10, screenWidth: 100, screenHeight: 50, ...extra,
    },
    image: new Uint8Array([rectIndex]),
  };
}

function setup(nextRefresh?: RefreshScheduler, catchUpAfterRefreshes?: number): { pipeline: UpdatePipeline<string>; log: string[]; decodes: Deferred[]; discarded: string[] } {
  const log: string[] = [];
  const decodes: Deferred[] = [];
  const discarded: string[] = [];
  const sink: RectSink<string> = {
    resize: (w, h) => log.push(`resize ${w}x${h}`),
    draw: (rect, h) => log.push(`draw ${rect} @${h.x}`),
    discard: (rect) => discarded.push(rect),
  };
  const pipeline = new UpdatePipeline<string>(
    () => new Promise<string>((resolve, reject) => decodes.push({ resolve, reject })),
    sink,
    {
      onUpdateDrawn: (seq, captureTimeMs) => log.push(`ack ${seq} ${captureTimeMs}`),
      onDecodeError: (h) => log.push(`error ${h.seq}/${h.rectIndex}`),
    },
    nextRefresh,
    catchUpAfterRefreshes,
  );
  return { pipeline, log, decodes, discarded };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('update pipeline', () => {
  it('draws in arrival order when decodes finish out of order, and acks after the LAST rect', async () => {
    const { pipeline, log, decodes } = setup();
    pipeline.push(frame(7, 0, FrameFlag.FULL));
    pipeline.push(frame(7, 1, FrameFlag.FULL));
    pipeline.push(frame(7, 2, FrameFlag.FULL | FrameFlag.LAST));
    decodes[2]!.resolve('c');
    decodes[1]!.resolve('b');
    await tick();
    expect(log).toEqual([]); // rect 0 is not decoded yet: nothing may be drawn over it
    decodes[0]!.resolve('a');
    await tick();
    expect(log).toEqual(['resize 100x50', 'draw a @0', 'draw b @10', 'draw c @20', 'ack 7 1007']);
    expect(pipeline.pending).toBe(0);
  });

  it('acknowledges each update once, and resizes when the screen size changes', async () => {
    const { pipeline, log, decodes } = setup();
    pipeline.push(frame(1, 0, FrameFlag.LAST | FrameFlag.FULL));
    pipeline.push(frame(2, 0, FrameFlag.LAST));
    pipeline.push(frame(3, 0, FrameFlag.LAST | FrameFlag.FULL, { screenWidth: 200, screenHeight: 100 }));
    decodes.forEach((d, i) => d.resolve(`r${i}`));
    await tick();
    expect(log).toEqual(['resize 100x50', 'draw r0 @0', 'ack 1 1001', 'draw r1 @0', 'ack 2 1002', 'resize 200x100', 'draw r2 @0', 'ack 3 1003']);
  });

  it('carries on with a newer update when the rest of one was dropped', async () => {
    const { pipeline, log, decodes } = setup();
    pipeline.push(frame(4, 0, 0)); // its LAST never comes (the relay dropped it)
    pipeline.push(frame(5, 0, FrameFlag.FULL | FrameFlag.LAST));
    decodes.forEach((d, i) => d.resolve(`r${i}`));
    await tick();
    expect(log).toEqual(['resize 100x50', 'draw r0 @0', 'draw r1 @0', 'ack 5 1005']);
  });

  it('skips a rectangle that fails to decode but still acknowledges its update', async () => {
    const { pipeline, log, decodes } = setup();
    pipeline.push(frame(9, 0, 0));
    pipeline.push(frame(9, 1, FrameFlag.LAST));
    decodes[0]!.reject(new Error('bad jpeg'));
    decodes[1]!.resolve('ok');
    await tick();
    expect(log).toEqual(['resize 100x50', 'error 9/0', 'draw ok @10', 'ack 9 1009']);
  });

  it('discards decodes that finish after a reset', async () => {
    const { pipeline, log, decodes, discarded } = setup();
    pipeline.push(frame(1, 0, FrameFlag.LAST));
    pipeline.reset();
    decodes[0]!.resolve('late');
    await tick();
    expect(log).toEqual([]);
    expect(discarded).toEqual(['late']);
  });
});

/** A display whose refreshes happen when the test says: `refresh()` runs what was asked for. */
function fakeDisplay(): { scheduler: RefreshScheduler; refresh(): void; asked(): number } {
  let waiting: (() => void)[] = [];
  return {
    scheduler: (present) => { waiting.push(present); },
    refresh() { const due = waiting; waiting = []; for (const present of due) present(); },
    asked: () => waiting.length,
  };
}

describe('update pipeline paced to the display refresh', () => {
  const update = (pipeline: UpdatePipeline<string>, seq: number): void => pipeline.push(frame(seq, 0, FrameFlag.LAST));

  it('draws the first update since a refresh at once, holds a second to the next refresh, so both are seen', async () => {
    const display = fakeDisplay();
    const { pipeline, log, decodes } = setup(display.scheduler);
    update(pipeline, 1);
    update(pipeline, 2);
    decodes[0]!.resolve('a');
    await tick();
    expect(log).toEqual(['resize 100x50', 'draw a @0', 'ack 1 1001']); // not held: a key's echo shows at once
    decodes[1]!.resolve('b');
    await tick();
    expect(log).toHaveLength(3); // 'a' is not on screen yet: 'b' would hide it
    display.refresh(); // 'a' is shown at this refresh: 'b' still may not be drawn for it
    expect(log).toHaveLength(3);
    display.refresh();
    expect(log.slice(3)).toEqual(['draw b @0', 'ack 2 1002']);
    // Drawn at that refresh, 'b' is on screen: the next update is drawn as it comes.
    update(pipeline, 3);
    decodes[2]!.resolve('c');
    await tick();
    expect(log.slice(5)).toEqual(['draw c @0', 'ack 3 1003']);
    // A held update goes out with the next one to arrive after a refresh, in order.
    update(pipeline, 4);
    update(pipeline, 5);
    decodes[3]!.resolve('d');
    decodes[4]!.resolve('e');
    await tick();
    expect(log.slice(7)).toEqual([]); // 'c' is not shown yet
    display.refresh();
    update(pipeline, 6);
    decodes[5]!.resolve('f');
    await tick();
    expect(log.slice(7)).toEqual(['draw d @0', 'ack 4 1004']);
  });

  it('never lets more than one update wait: with three decoded, a refresh draws two', async () => {
    const display = fakeDisplay();
    const { pipeline, log, decodes } = setup(display.scheduler);
    for (const seq of [1, 2, 3, 4]) update(pipeline, seq);
    decodes.forEach((d, i) => d.resolve(`r${i}`));
    await tick();
    expect(log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1 1001']);
    display.refresh(); // update 1 is shown
    expect(log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1 1001']);
    display.refresh();
    expect(log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1 1001', 'ack 2 1002', 'ack 3 1003']);
    display.refresh();
    expect(log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1 1001', 'ack 2 1002', 'ack 3 1003', 'ack 4 1004']);
  });

  /** One update arriving and decoding between two refreshes. */
  const arrive = async (pipeline: UpdatePipeline<string>, decodes: Deferred[], seq: number): Promise<void> => {
    update(pipeline, seq);
    decodes[decodes.length - 1]!.resolve(`u${seq}`);
    await tick();
  };
  const acks = (log: string[]): string[] => log.filter((l) => l.startsWith('ack')).map((l) => l.split(' ')[1]!);

  it('a stream kept one refresh late catches up after catchUpAfterRefreshes refreshes: the held update is drawn over the one of that refresh', async () => {
    const display = fakeDisplay();
    const { pipeline, log, decodes } = setup(display.scheduler, 2);
    await arrive(pipeline, decodes, 1); // drawn at once
    await arrive(pipeline, decodes, 2); // held: 1 is not on screen yet
    expect(acks(log)).toEqual(['1']);
    // From here one update comes per refresh, and each is drawn a refresh late.
    display.refresh(); // 1 shown, 2 held (1 refresh late)
    await arrive(pipeline, decodes, 3);
    expect(acks(log)).toEqual(['1', '2']);
    display.refresh(); // 2 shown, 3 held (2 refreshes late)
    await arrive(pipeline, decodes, 4);
    expect(acks(log)).toEqual(['1', '2', '3']);
    display.refresh(); // 3 drawn for it, 4 held a third time: catch up, 4 over 3
    expect(log.slice(-4)).toEqual(['draw u3 @0', 'ack 3 1003', 'draw u4 @0', 'ack 4 1004']);
    // On time again: the next update is drawn as it comes.
    await arrive(pipeline, decodes, 5);
    expect(acks(log)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('a stream that falls back in time by itself (a refresh with nothing new) counts from zero again, and loses nothing', async () => {
    const display = fakeDisplay();
    const { pipeline, log, decodes } = setup(display.scheduler, 2);
    await arrive(pipeline, decodes, 1);
    await arrive(pipeline, decodes, 2);
    display.refresh(); // 1 shown, 2 held (1)
    await arrive(pipeline, decodes, 3);
    display.refresh(); // 2 shown, 3 held (2)
    display.refresh(); // nothing drawn since: 3 is drawn at this refresh, on time again
    expect(acks(log)).toEqual(['1', '2', '3']);
    // Late again twice: not yet the third time in a row, so nothing is caught up.
    await arrive(pipeline, decodes, 4); // drawn at once
    await arrive(pipeline, decodes, 5); // held
    display.refresh(); // 4 shown, 5 held (1)
    await arrive(pipeline, decodes, 6);
    display.refresh(); // 5 shown, 6 held (2)
    await arrive(pipeline, decodes, 7);
    expect(acks(log)).toEqual(['1', '2', '3', '4', '5', '6']);
    display.refresh(); // 6 shown, 7 held (3): caught up now
    expect(acks(log)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    // Every update was drawn, in order.
    expect(log.filter((l) => l.startsWith('draw'))).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `draw u${n} @0`));
  });

  it('draws an update only once all its rectangles are decoded, and asks for no refresh while idle', async () => {
    const display = fakeDisplay();
    const { pipeline, log, decodes } = setup(display.scheduler);
    pipeline.push(frame(1, 0, FrameFlag.FULL));
    pipeline.push(frame(1, 1, FrameFlag.FULL | FrameFlag.LAST));
    decodes[0]!.resolve('a');
    await tick();
    expect(log).toEqual([]);
    decodes[1]!.resolve('b');
    await tick();
    expect(log).toEqual(['resize 100x50', 'draw a @0', 'draw b @10', 'ack 1 1001']);
    display.refresh(); // shown; nothing else waits
    expect(display.asked()).toBe(0);
  });

  it('forgets a refresh asked for before a reset', async () => {
    const display = fakeDisplay();
    const { pipeline, log, decodes, discarded } = setup(display.scheduler);
    update(pipeline, 1);
    update(pipeline, 2);
    decodes[0]!.resolve('a');
    decodes[1]!.resolve('b');
    await tick();
    pipeline.reset();
    display.refresh();
    display.refresh();
    expect(log.filter((l) => l.startsWith('draw'))).toEqual(['draw a @0']);
    expect(discarded).toEqual(['b']);
    // After the reset the next update is drawn at once.
    update(pipeline, 3);
    decodes[2]!.resolve('c');
    await tick();
    expect(log.filter((l) => l.startsWith('draw'))).toEqual(['draw a @0', 'draw c @0']);
  });
});

describe('nextDisplayRefresh', () => {
  function fakeWindow() {
    const frames: (() => void)[] = [];
    const timers = new Map<number, () => void>();
    let nextId = 1;
    return {
      frames, timers,
      requestAnimationFrame: (cb: FrameRequestCallback) => { frames.push(() => cb(0)); return frames.length; },
      setTimeout: ((cb: () => void) => { const id = nextId++; timers.set(id, cb); return id; }) as unknown as Window['setTimeout'],
      clearTimeout: ((id: number) => { timers.delete(id); }) as Window['clearTimeout'],
    };
  }

  it('uses the animation frame in a visible page, once, with a timer behind it that a frame cancels', () => {
    const win = fakeWindow();
    let presented = 0;
    nextDisplayRefresh({ visibilityState: 'visible' }, win)(() => presented++);
    expect(win.frames).toHaveLength(1);
    expect(win.timers.size).toBe(1);
    win.frames[0]!();
    expect(presented).toBe(1);
    expect(win.timers.size).toBe(0);
  });

  it('falls back on the timer when the frame never comes (the page was hidden), and runs once', () => {
    const win = fakeWindow();
    let presented = 0;
    nextDisplayRefresh({ visibilityState: 'visible' }, win)(() => presented++);
    [...win.timers.values()][0]!();
    win.frames[0]!();
    expect(presented).toBe(1);
  });

  it('in a hidden page uses a timer only: no animation frames come there', () => {
    const win = fakeWindow();
    let presented = 0;
    nextDisplayRefresh({ visibilityState: 'hidden' }, win)(() => presented++);
    expect(win.frames).toHaveLength(0);
    [...win.timers.values()][0]!();
    expect(presented).toBe(1);
  });
});
