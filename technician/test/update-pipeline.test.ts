import { FrameFlag, ImageFormat, type FrameHeader, type FrameMessage } from '../../protocol';
import { UpdatePipeline, type RectSink } from '../core/display/update-pipeline';

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

function setup(): { pipeline: UpdatePipeline<string>; log: string[]; decodes: Deferred[]; discarded: string[] } {
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
