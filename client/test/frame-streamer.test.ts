import { decodeBinary } from '../../protocol/codec';
import { FrameFlag, type FrameHeader } from '../../protocol/frame';
import { FrameStreamer } from '../stream/frame-streamer';
import type { FrameStreamerOptionsInput } from '../stream/frame-streamer-options';
import { FakeRectEncoder } from './support/fake-rect-encoder';
import { FakeScreenSource } from './support/fake-screen-source';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A streamer on a fake 320×240 screen whose sent frames are decoded back into headers. */
function harness(options: FrameStreamerOptionsInput = {}, clockSkewMs = { value: 0 }) {
  const screen = new FakeScreenSource(320, 240);
  const encoder = new FakeRectEncoder();
  const sent: FrameHeader[] = [];
  const streamer = new FrameStreamer({
    source: screen,
    encoder,
    send: (bytes) => {
      const decoded = decodeBinary(bytes);
      if (!decoded.ok || decoded.message.kind !== 'frame') throw new Error('streamer sent an invalid frame');
      sent.push(decoded.message.header);
    },
    now: () => Date.now() + clockSkewMs.value,
  }, { minFrameIntervalMs: 0, maxIdleIntervalMs: 5, ...options });
  /** Headers of update `seq`. */
  const update = (seq: number): FrameHeader[] => sent.filter((h) => h.seq === seq);
  const updates = (): number[] => [...new Set(sent.map((h) => h.seq))];
  return { screen, encoder, sent, streamer, update, updates };
}

describe('FrameStreamer', () => {
  let stopMe: FrameStreamer | undefined;
  afterEach(async () => {
    await stopMe?.stop();
    stopMe = undefined;
  });

  it('starts with one full frame covering the screen, flagged FULL and LAST', async () => {
    const h = harness();
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length >= 1, 'first frame');
    expect(h.sent[0]).toMatchObject({
      seq: 0, rectIndex: 0, x: 0, y: 0, width: 320, height: 240, screenWidth: 320, screenHeight: 240,
      flags: FrameFlag.FULL | FrameFlag.LAST, format: 1, displayId: 0,
    });
    expect(Math.abs(h.sent[0]!.captureTimeMs - Date.now())).toBeLessThan(1000);
  });

  it('never has more than maxInFlight updates unacknowledged', async () => {
    const h = harness({ maxInFlight: 2 });
    stopMe = h.streamer;
    let shade = 0;
    // The screen changes before every grab, so the streamer always has something to send.
    const grab = h.screen.grab.bind(h.screen);
    h.screen.grab = async () => {
      h.screen.paint({ x: 0, y: 0, width: 8, height: 8 }, [shade++ & 255, 0, 0]);
      return grab();
    };
    h.streamer.start();
    await waitFor(() => h.updates().length === 2, 'two updates');
    await sleep(100);
    expect(h.updates()).toEqual([0, 1]);
    expect(h.streamer.stats.inFlight).toBe(2);
    h.streamer.onAck(0);
    await waitFor(() => h.updates().length === 3, 'a third update after one ack');
    await sleep(50);
    expect(h.updates()).toEqual([0, 1, 2]);
    // Acks are cumulative: acking 2 frees 1 as well.
    h.streamer.onAck(2);
    await waitFor(() => h.updates().length === 5, 'two more updates');
    await sleep(50);
    expect(h.updates()).toHaveLength(5);
  });

  it('sends nothing while the screen is still, though it keeps looking', async () => {
    const h = harness();
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    h.streamer.onAck(0);
    const grabsBefore = h.screen.grabs;
    await sleep(150);
    expect(h.sent).toHaveLength(1);
    expect(h.screen.grabs).toBeGreaterThan(grabsBefore);
  });

  it('sends only the tile around a small change', async () => {
    const h = harness();
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    h.streamer.onAck(0);
    h.screen.paint({ x: 130, y: 70, width: 5, height: 5 }, [255, 255, 0]);
    await waitFor(() => h.sent.length === 2, 'the change');
    expect(h.sent[1]).toMatchObject({ seq: 1, x: 128, y: 64, width: 64, height: 64, flags: FrameFlag.LAST, rectIndex: 0 });
  });

  it('gives every rectangle of one update the same seq and time, and LAST only to the last', async () => {
    const h = harness();
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    h.streamer.onAck(0);
    h.screen.paint({ x: 0, y: 0, width: 4, height: 4 }, [1, 2, 3]);
    h.screen.paint({ x: 300, y: 200, width: 4, height: 4 }, [1, 2, 3]);
    await waitFor(() => h.sent.length === 3, 'two rectangles');
    const rects = h.update(1);
    expect(rects.map((r) => [r.rectIndex, r.flags, r.x, r.y])).toEqual([[0, 0, 0, 0], [1, FrameFlag.LAST, 256, 192]]);
    expect(rects[0]!.captureTimeMs).toBe(rects[1]!.captureTimeMs);
  });

  it('sends a full frame when a refresh is requested, even on a still screen', async () => {
    const h = harness();
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    h.streamer.onAck(0);
    await sleep(30);
    h.streamer.requestRefresh();
    await waitFor(() => h.sent.length === 2, 'the refresh');
    expect(h.sent[1]).toMatchObject({ seq: 1, width: 320, height: 240, flags: FrameFlag.FULL | FrameFlag.LAST });
  });

  it('sends a full frame of the new size when the screen resizes', async () => {
    const h = harness();
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    h.streamer.onAck(0);
    h.screen.resize(400, 300);
    await waitFor(() => h.sent.length === 2, 'the resized frame');
    expect(h.sent[1]).toMatchObject({ width: 400, height: 300, screenWidth: 400, screenHeight: 300, flags: FrameFlag.FULL | FrameFlag.LAST });
  });

  it('sends the whole screen for any change to a viewer that only draws whole frames', async () => {
    const h = harness({ wholeFramesOnly: true, encodeParallelism: 4, minBandPixels: 1000 });
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    expect(h.sent[0]).toMatchObject({ width: 320, height: 240 }); // one piece, though bands were allowed
    h.streamer.onAck(0);
    h.screen.paint({ x: 1, y: 1, width: 1, height: 1 }, [255, 0, 0]);
    await waitFor(() => h.sent.length === 2, 'the change');
    expect(h.sent[1]).toMatchObject({ x: 0, y: 0, width: 320, height: 240, flags: FrameFlag.FULL | FrameFlag.LAST });
    await sleep(50);
    expect(h.sent).toHaveLength(2); // and still nothing for a still screen
  });

  it('gives up on lost acks after ackTimeoutMs and resumes with a full frame', async () => {
    // The timeout is long against the pause below, so a busy machine cannot make the
    // pause outlast it (CI saw that with 50 ms against 20 ms).
    const h = harness({ maxInFlight: 1, ackTimeoutMs: 600 });
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    h.screen.paint({ x: 1, y: 1, width: 1, height: 1 }, [255, 0, 0]);
    await sleep(60);
    expect(h.sent).toHaveLength(1); // blocked on the credit
    await waitFor(() => h.sent.length === 2, 'the frame after the timeout');
    expect(h.sent[1]!.flags & FrameFlag.FULL).toBe(FrameFlag.FULL);
    expect(h.streamer.stats.ackTimeouts).toBe(1);
  });

  it('lowers JPEG quality when acks come back late, within its bounds, unless quality is fixed', async () => {
    const skew = { value: 0 };
    const h = harness({ minQuality: 40, maxQuality: 80 }, skew);
    stopMe = h.streamer;
    let shade = 0;
    const grab = h.screen.grab.bind(h.screen);
    h.screen.grab = async () => {
      h.screen.paint({ x: 0, y: 0, width: 8, height: 8 }, [shade++ & 255, 0, 0]);
      return grab();
    };
    h.streamer.start();
    for (let seq = 0; seq < 20; seq++) {
      await waitFor(() => h.update(seq).length > 0, `update ${seq}`);
      skew.value += 1000; // as if each ack arrived a second after capture
      h.streamer.onAck(seq);
    }
    const qualities = h.encoder.calls.map((c) => c.quality);
    expect(qualities[0]).toBe(70); // initialQuality
    expect(Math.max(...qualities)).toBeLessThanOrEqual(80);
    expect(Math.min(...qualities)).toBe(40);
    h.streamer.setQuality(90);
    const seen = h.encoder.calls.length;
    h.streamer.onAck(20);
    await waitFor(() => h.encoder.calls.length > seen + 1, 'more encodes');
    expect(h.encoder.calls.at(-1)!.quality).toBe(90);
  });

  it('cuts a large full frame into bands encoded side by side, all FULL, LAST on the last', async () => {
    const h = harness({ encodeParallelism: 2, minBandPixels: 10_000 });
    stopMe = h.streamer;
    h.streamer.start();
    await waitFor(() => h.sent.length === 2, 'two bands');
    expect(h.sent.map((r) => [r.seq, r.rectIndex, r.y, r.height, r.flags])).toEqual([
      [0, 0, 0, 128, FrameFlag.FULL],
      [0, 1, 128, 112, FrameFlag.FULL | FrameFlag.LAST],
    ]);
  });

  it('grabs the next frame while the previous one is still being encoded', async () => {
    const h = harness();
    stopMe = h.streamer;
    h.encoder.delayMs = 80;
    let shade = 0;
    const grab = h.screen.grab.bind(h.screen);
    h.screen.grab = async () => {
      h.screen.paint({ x: 0, y: 0, width: 8, height: 8 }, [shade++ & 255, 0, 0]);
      return grab();
    };
    h.streamer.start();
    await waitFor(() => h.screen.grabs >= 2, 'a second grab');
    expect(h.sent).toHaveLength(0); // the first update is still encoding
    await waitFor(() => h.updates().length === 2, 'both updates');
  });

  it('frees the credit and sends a full frame after an encode fails', async () => {
    const h = harness({ maxInFlight: 1 });
    stopMe = h.streamer;
    const encode = h.encoder.encode.bind(h.encoder);
    let failures = 1;
    h.encoder.encode = async (frame, rect, quality) => {
      if (failures-- > 0) throw new Error('encoder crashed');
      return encode(frame, rect, quality);
    };
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'a frame after the failure');
    expect(h.sent[0]).toMatchObject({ seq: 1, flags: FrameFlag.FULL | FrameFlag.LAST });
    expect(h.streamer.stats.errors).toBe(1);
  });

  it('retries after a failed grab and starts again from a full frame', async () => {
    const h = harness({ errorRetryMs: 10 });
    stopMe = h.streamer;
    h.screen.failNext = new Error('display went away');
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame after the failure');
    expect(h.streamer.stats.errors).toBe(1);
    expect(h.sent[0]!.flags).toBe(FrameFlag.FULL | FrameFlag.LAST);
  });

  it('stops grabbing once stopped, with no timer left behind', async () => {
    const h = harness();
    h.streamer.start();
    await waitFor(() => h.sent.length === 1, 'first frame');
    h.streamer.onAck(0);
    await h.streamer.stop();
    const grabs = h.screen.grabs;
    await sleep(50);
    expect(h.screen.grabs).toBe(grabs);
    expect(h.streamer.currentState).toBe('stopped');
    expect(() => h.streamer.start()).toThrow(/cannot go from stopped/);
  });
});
