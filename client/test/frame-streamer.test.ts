import { decodeBinary } from '../../protocol/codec';
import { inflateRawSync } from 'node:zlib';
import { FrameFlag, ImageFormat, type FrameHeader } from '../../protocol/frame';
import { FrameStreamer } from '../stream/frame-streamer';
import type { FrameStreamerOptionsInput } from '../stream/frame-streamer-options';
import { trackDamage } from '../capture/damage-tracked-source';
import { FakeDamageSource } from './support/fake-damage-source';
import { FakeRectEncoder } from './support/fake-rect-encoder';
import { FakeScreenSource } from './support/fake-screen-source';
import { cropToRgb } from '../encode/crop-pixels';

/*
 * The streamer paces itself with setTimeout and setImmediate, and stamps frames with
 * Date.now(). Under jest's fake timers time moves only when a test moves it, so "nothing
 * is sent for a second" is a fact about a whole second of the streamer's time, however
 * busy the machine, and a deadline cannot be missed because the test was slow. nextTick
 * and queueMicrotask stay real: promises must settle as they do in production.
 */
beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
});

/** Streamers started by a test; each is stopped after it. */
const started: FrameStreamer[] = [];

afterEach(async () => {
  for (const streamer of started.splice(0)) await settle(streamer.stop());
  jest.useRealTimers();
});

/** Lets `ms` of fake time pass, running every timer due in it. */
async function elapse(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

/**
 * Moves fake time on 1 ms at a time until `condition` holds; fails if it does not within
 * `withinMs` of the streamer's time.
 */
async function until(condition: () => boolean, what: string, withinMs = 2000): Promise<void> {
  for (let waited = 0; !condition(); waited++) {
    if (waited >= withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await elapse(1);
  }
}

/** Moves fake time on until `promise` settles (a stop that waits for a grab or an encode). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => { done = true; });
  await until(() => done, 'the promise to settle');
  return watched;
}

/**
 * A started streamer on a fake 320×240 screen whose sent frames are decoded back into
 * headers. `skewMs` moves only the streamer's clock (as if acks came back later).
 */
function harness(options: FrameStreamerOptionsInput = {}, skewMs = { value: 0 }) {
  const screen = new FakeScreenSource(320, 240);
  const encoder = new FakeRectEncoder();
  const sent: FrameHeader[] = [];
  /** The image bytes of each sent rectangle, in the order of `sent`. */
  const images: Uint8Array[] = [];
  const streamer = new FrameStreamer({
    source: screen,
    encoder,
    send: (bytes) => {
      const decoded = decodeBinary(bytes);
      if (!decoded.ok || decoded.message.kind !== 'frame') throw new Error('streamer sent an invalid frame');
      sent.push(decoded.message.header);
      images.push(decoded.message.image.slice());
    },
    now: () => Date.now() + skewMs.value,
  }, { minFrameIntervalMs: 0, maxIdleIntervalMs: 5, ...options });
  started.push(streamer);
  /** Headers of update `seq`. */
  const update = (seq: number): FrameHeader[] => sent.filter((h) => h.seq === seq);
  const updates = (): number[] => [...new Set(sent.map((h) => h.seq))];
  return { screen, encoder, sent, images, streamer, update, updates };
}

type Harness = ReturnType<typeof harness>;

/** Starts `h` and waits for its first update (the full frame), acknowledged when `ack`. */
async function startAndTakeFirstFrame(h: Harness, { ack = true } = {}): Promise<void> {
  h.streamer.start();
  await until(() => h.sent.length === 1, 'the first frame');
  if (ack) h.streamer.onAck(0);
}

/** The screen changes before every grab, so the streamer always has something to send. */
function changeBeforeEveryGrab(screen: FakeScreenSource): void {
  let shade = 0;
  const grab = screen.grab.bind(screen);
  screen.grab = async () => {
    screen.paint({ x: 0, y: 0, width: 8, height: 8 }, [shade++ & 255, 0, 0]);
    return grab();
  };
}

describe('FrameStreamer', () => {
  it('starts with one full frame covering the screen, flagged FULL and LAST, stamped with the time of the grab', async () => {
    const h = harness();
    const startedAt = Date.now();
    await startAndTakeFirstFrame(h, { ack: false });
    expect(h.sent[0]).toMatchObject({
      seq: 0, rectIndex: 0, x: 0, y: 0, width: 320, height: 240, screenWidth: 320, screenHeight: 240,
      flags: FrameFlag.FULL | FrameFlag.LAST, format: 1, displayId: 0,
    });
    expect(h.sent[0]!.captureTimeMs).toBeGreaterThanOrEqual(startedAt);
    expect(h.sent[0]!.captureTimeMs).toBeLessThanOrEqual(Date.now());
  });

  it('never has more than maxInFlight updates unacknowledged, and each ack frees as many as it covers', async () => {
    const h = harness({ maxInFlight: 2 });
    changeBeforeEveryGrab(h.screen);
    h.streamer.start();
    await until(() => h.updates().length === 2, 'two updates');
    // A second with the screen changing all the time, well inside ackTimeoutMs (5 s).
    await elapse(1000);
    expect(h.updates()).toEqual([0, 1]);
    expect(h.streamer.stats.inFlight).toBe(2);
    h.streamer.onAck(0);
    await until(() => h.updates().length === 3, 'a third update after one ack');
    await elapse(1000);
    expect(h.updates()).toEqual([0, 1, 2]);
    // Acks are cumulative: acking 2 frees 1 as well.
    h.streamer.onAck(2);
    await until(() => h.updates().length === 5, 'two more updates');
    await elapse(1000);
    expect(h.updates()).toEqual([0, 1, 2, 3, 4]);
  });

  it('switches the picture only after the updates already grabbed went out, then sends it whole: never an old frame after the switch', async () => {
    const h = harness({ maxInFlight: 3 });
    changeBeforeEveryGrab(h.screen);
    await startAndTakeFirstFrame(h);
    h.encoder.delayMs = 30;
    // An update is grabbed and encoding when the technician picks another monitor, twice.
    await until(() => h.encoder.calls.length === 2, 'a second update encoding');
    const log: string[] = [];
    const grab = h.screen.grab.bind(h.screen);
    h.screen.grab = async () => { log.push('grab'); return grab(); };
    const send = h.sent.push.bind(h.sent);
    h.sent.push = (...headers: FrameHeader[]) => { log.push(`frame ${headers[0]!.seq}`); return send(...headers); };
    h.streamer.betweenUpdates(() => log.push('switch to 1') > 0);
    h.streamer.betweenUpdates(() => log.push('switch to 2') > 0);
    expect(log).toEqual([]);
    await until(() => log.includes('switch to 2') && log.slice(log.indexOf('switch to 2')).some((l) => l.startsWith('frame')), 'the switch and an update after it');
    const switchedAt = log.indexOf('switch to 1');
    expect(log.slice(switchedAt, switchedAt + 2)).toEqual(['switch to 1', 'switch to 2']);
    // Every update grabbed before the switch went out whole before it; none after it.
    const seqOf = (line: string): number => Number(line.split(' ')[1]);
    const before = log.slice(0, switchedAt).filter((l) => l.startsWith('frame')).map(seqOf);
    const after = log.slice(switchedAt).filter((l) => l.startsWith('frame')).map(seqOf);
    expect(before).toContain(1);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
    // The first update after the switch replaces the whole picture.
    const first = h.sent.find((f) => f.seq === Math.min(...after))!;
    expect(first.flags & FrameFlag.FULL).toBe(FrameFlag.FULL);
  });

  it('a switch that changed nothing (a display not listed) costs no full update; one that did, one full update', async () => {
    const h = harness();
    await startAndTakeFirstFrame(h);
    h.streamer.betweenUpdates(() => false);
    h.screen.paint({ x: 10, y: 10, width: 2, height: 2 }, [0, 255, 0]);
    await until(() => h.sent.length === 2, 'the change after a refused switch');
    // Only the tile around the change, not the screen.
    expect(h.sent[1]!.width * h.sent[1]!.height).toBeLessThan(320 * 240);
    expect(h.sent[1]!.flags & FrameFlag.FULL).toBe(0);
    h.streamer.onAck(1);
    h.streamer.betweenUpdates(() => true);
    await until(() => h.sent.length === 3, 'the update after a switch');
    expect(h.sent[2]).toMatchObject({ x: 0, y: 0, width: 320, height: 240 });
    expect(h.sent[2]!.flags & FrameFlag.FULL).toBe(FrameFlag.FULL);
  });

  it('runs a picture switch at once when not streaming, and drops pending ones when stopped', async () => {
    const h = harness();
    const ran: number[] = [];
    h.streamer.betweenUpdates(() => ran.push(1) > 0);
    expect(ran).toEqual([1]);
    h.encoder.delayMs = 50;
    h.streamer.start();
    await until(() => h.encoder.calls.length === 1, 'the first update encoding');
    h.streamer.betweenUpdates(() => ran.push(2) > 0);
    await settle(h.streamer.stop());
    await elapse(100);
    expect(ran).toEqual([1]);
  });

  it('sends nothing while the screen is still, yet sends a change within maxIdleIntervalMs however long it was still', async () => {
    const h = harness({ maxIdleIntervalMs: 50 });
    await startAndTakeFirstFrame(h);
    await elapse(1000);
    expect(h.sent).toHaveLength(1);
    h.screen.paint({ x: 10, y: 10, width: 2, height: 2 }, [0, 255, 0]);
    await until(() => h.sent.length === 2, 'the change after a still second', 50);
  });

  it('after a nudge looks at once and keeps looking every minFrameIntervalMs, so the echo of a key is not left to the back-off', async () => {
    const h = harness({ minFrameIntervalMs: 16, maxIdleIntervalMs: 1000, nudgeWindowMs: 250 });
    await startAndTakeFirstFrame(h);
    // Five still seconds: the back-off has reached a grab a second.
    await elapse(5000);
    expect(h.sent).toHaveLength(1);
    const grabs = h.screen.grabs;
    h.streamer.nudge(); // the agent injected a key
    await until(() => h.screen.grabs > grabs, 'a look right after the nudge', 1);
    // The key's echo shows 40 ms later: it goes out within one frame interval.
    await elapse(40);
    h.screen.paint({ x: 10, y: 10, width: 2, height: 2 }, [0, 255, 0]);
    await until(() => h.sent.length === 2, 'the echo', 17);
    // Once the window is over the back-off resumes: a still screen is not polled at 60 fps for ever.
    h.streamer.onAck(1);
    await elapse(1000);
    const before = h.screen.grabs;
    await elapse(1000);
    expect(h.screen.grabs - before).toBeLessThanOrEqual(2);
  });

  it('a nudge on a stopped or never started streamer does nothing', async () => {
    const h = harness();
    h.streamer.nudge();
    await elapse(100);
    expect(h.screen.grabs).toBe(0);
  });

  it('sends only the tile around a small change', async () => {
    const h = harness();
    await startAndTakeFirstFrame(h);
    h.screen.paint({ x: 130, y: 70, width: 5, height: 5 }, [255, 255, 0]);
    await until(() => h.sent.length === 2, 'the change');
    expect(h.sent[1]).toMatchObject({ seq: 1, x: 128, y: 64, width: 64, height: 64, flags: FrameFlag.LAST, rectIndex: 0 });
  });

  it('gives every rectangle of one update the same seq and time, and LAST only to the last', async () => {
    const h = harness();
    await startAndTakeFirstFrame(h);
    h.screen.paint({ x: 0, y: 0, width: 4, height: 4 }, [1, 2, 3]);
    h.screen.paint({ x: 300, y: 200, width: 4, height: 4 }, [1, 2, 3]);
    await until(() => h.sent.length === 3, 'two rectangles');
    const rects = h.update(1);
    expect(rects.map((r) => [r.rectIndex, r.flags, r.x, r.y])).toEqual([[0, 0, 0, 0], [1, FrameFlag.LAST, 256, 192]]);
    expect(rects[0]!.captureTimeMs).toBe(rects[1]!.captureTimeMs);
  });

  it('sends a full frame when a refresh is requested, even on a still screen', async () => {
    const h = harness();
    await startAndTakeFirstFrame(h);
    await elapse(100);
    expect(h.sent).toHaveLength(1); // still: what follows is the refresh's doing
    h.streamer.requestRefresh();
    await until(() => h.sent.length === 2, 'the refresh');
    expect(h.sent[1]).toMatchObject({ seq: 1, width: 320, height: 240, flags: FrameFlag.FULL | FrameFlag.LAST });
  });

  it('sends a full frame of the new size when the screen resizes', async () => {
    const h = harness();
    await startAndTakeFirstFrame(h);
    h.screen.resize(400, 300);
    await until(() => h.sent.length === 2, 'the resized frame');
    expect(h.sent[1]).toMatchObject({ width: 400, height: 300, screenWidth: 400, screenHeight: 300, flags: FrameFlag.FULL | FrameFlag.LAST });
  });

  it('sends the whole screen, in one piece, for any change to a viewer that only draws whole frames, and nothing for a still screen', async () => {
    const h = harness({ wholeFramesOnly: true, encodeParallelism: 4, minBandPixels: 1000 });
    await startAndTakeFirstFrame(h);
    expect(h.sent[0]).toMatchObject({ width: 320, height: 240 }); // one piece, though bands were allowed
    h.screen.paint({ x: 1, y: 1, width: 1, height: 1 }, [255, 0, 0]);
    await until(() => h.sent.length === 2, 'the change');
    expect(h.sent[1]).toMatchObject({ x: 0, y: 0, width: 320, height: 240, flags: FrameFlag.FULL | FrameFlag.LAST });
    h.streamer.onAck(1);
    await elapse(1000);
    expect(h.sent).toHaveLength(2);
  });

  it('gives up on lost acks after ackTimeoutMs, not before, and resumes with a full frame', async () => {
    const h = harness({ maxInFlight: 1, ackTimeoutMs: 600 });
    await startAndTakeFirstFrame(h, { ack: false });
    const firstAt = h.sent[0]!.captureTimeMs;
    h.screen.paint({ x: 1, y: 1, width: 1, height: 1 }, [255, 0, 0]);
    await elapse(firstAt + 599 - Date.now());
    expect(h.sent).toHaveLength(1); // blocked on the credit until the last millisecond
    expect(h.streamer.stats.ackTimeouts).toBe(0);
    await until(() => h.sent.length === 2, 'the frame after the timeout', 100);
    expect(h.sent[1]!.captureTimeMs).toBeGreaterThanOrEqual(firstAt + 600);
    expect(h.sent[1]!.flags & FrameFlag.FULL).toBe(FrameFlag.FULL);
    expect(h.streamer.stats.ackTimeouts).toBe(1);
  });

  it('lowers JPEG quality when acks come back late, within its bounds, unless quality is fixed', async () => {
    const skew = { value: 0 };
    const h = harness({ minQuality: 40, maxQuality: 80 }, skew);
    changeBeforeEveryGrab(h.screen);
    h.streamer.start();
    for (let seq = 0; seq < 20; seq++) {
      await until(() => h.update(seq).length > 0, `update ${seq}`);
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
    await until(() => h.encoder.calls.length > seen + 1, 'more encodes');
    expect(h.encoder.calls.at(-1)!.quality).toBe(90);
  });

  it('cuts a large full frame into bands encoded side by side, all FULL, LAST on the last', async () => {
    const h = harness({ encodeParallelism: 2, minBandPixels: 10_000 });
    h.streamer.start();
    await until(() => h.sent.length === 2, 'two bands');
    expect(h.sent.map((r) => [r.seq, r.rectIndex, r.y, r.height, r.flags])).toEqual([
      [0, 0, 0, 128, FrameFlag.FULL],
      [0, 1, 128, 112, FrameFlag.FULL | FrameFlag.LAST],
    ]);
  });

  it('grabs the next frame while the previous one is still being encoded', async () => {
    const h = harness();
    h.encoder.delayMs = 80;
    changeBeforeEveryGrab(h.screen);
    h.streamer.start();
    await until(() => h.screen.grabs >= 2, 'a second grab', 79);
    expect(h.sent).toHaveLength(0); // the first update is still encoding
    await until(() => h.updates().length === 2, 'both updates');
  });

  it('frees the credit and sends a full frame after an encode fails', async () => {
    const h = harness({ maxInFlight: 1 });
    const encode = h.encoder.encode.bind(h.encoder);
    let failures = 1;
    h.encoder.encode = async (frame, rect, quality) => {
      if (failures-- > 0) throw new Error('encoder crashed');
      return encode(frame, rect, quality);
    };
    h.streamer.start();
    await until(() => h.sent.length === 1, 'a frame after the failure');
    expect(h.sent[0]).toMatchObject({ seq: 1, flags: FrameFlag.FULL | FrameFlag.LAST });
    expect(h.streamer.stats.errors).toBe(1);
  });

  it('retries errorRetryMs after a failed grab and starts again from a full frame', async () => {
    const h = harness({ errorRetryMs: 10 });
    h.screen.failNext = new Error('display went away');
    const startedAt = Date.now();
    h.streamer.start();
    await until(() => h.sent.length === 1, 'first frame after the failure');
    expect(h.streamer.stats.errors).toBe(1);
    expect(h.sent[0]!.flags).toBe(FrameFlag.FULL | FrameFlag.LAST);
    expect(h.sent[0]!.captureTimeMs).toBeGreaterThanOrEqual(startedAt + 10);
  });

  describe('with a source that reports changes (X11 DAMAGE)', () => {
    /** The harness's streamer on a damage-tracked source over the same fake screen. */
    function damageHarness(options: FrameStreamerOptionsInput = {}) {
      const screen = new FakeScreenSource(320, 240);
      const damage = new FakeDamageSource(screen, 320, 240);
      const encoder = new FakeRectEncoder();
      const sent: FrameHeader[] = [];
      const streamer = new FrameStreamer({
        source: trackDamage(screen, damage),
        encoder,
        send: (bytes) => {
          const decoded = decodeBinary(bytes);
          if (decoded.ok && decoded.message.kind === 'frame') sent.push(decoded.message.header);
        },
      }, { minFrameIntervalMs: 16, maxIdleIntervalMs: 100, ...options });
      started.push(streamer);
      return { screen, damage, sent, streamer };
    }

    it('grabs nothing and keeps no timer while the screen is still: it waits for damage', async () => {
      const h = damageHarness();
      h.streamer.start();
      await until(() => h.sent.length === 1, 'the first frame');
      h.streamer.onAck(0);
      await elapse(100);
      const grabs = h.screen.grabs;
      await elapse(10_000);
      expect(h.screen.grabs).toBe(grabs); // a polling streamer would have grabbed 100 times
      expect(h.damage.regionsRead).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
      h.streamer.nudge(); // input with no damage after it: still nothing to read
      await elapse(1000);
      expect(h.screen.grabs).toBe(grabs);
      expect(h.sent).toHaveLength(1);
    });

    it('on damage reads only the damaged rectangle, at once, and sends the changed tile', async () => {
      const h = damageHarness({ maxIdleIntervalMs: 1000 });
      h.streamer.start();
      await until(() => h.sent.length === 1, 'the first frame');
      h.streamer.onAck(0);
      await elapse(5000);
      h.damage.paint({ x: 130, y: 70, width: 5, height: 5 }, [255, 255, 0]);
      await until(() => h.sent.length === 2, 'the change', 17);
      // The changed tile cut down to the damage (on 4-px steps): the rest of the tile is what the viewer has.
      expect(h.sent[1]).toMatchObject({ seq: 1, x: 128, y: 70, width: 8, height: 5, flags: FrameFlag.LAST });
      expect(h.damage.regionsRead).toEqual([{ x: 130, y: 70, width: 5, height: 5 }]);
      expect(h.screen.grabs).toBe(1); // the first frame's only
    });

    it('sends nothing for damage that did not change a pixel', async () => {
      const h = damageHarness();
      h.streamer.start();
      await until(() => h.sent.length === 1, 'the first frame');
      h.streamer.onAck(0);
      h.damage.damageOnly({ x: 0, y: 0, width: 100, height: 100 });
      await until(() => h.damage.regionsRead.length === 1, 'the read of the damage');
      await elapse(1000);
      expect(h.sent).toHaveLength(1);
    });

    it('a refresh reads and sends the whole screen, repairing a change the damage never reported', async () => {
      const h = damageHarness();
      h.streamer.start();
      await until(() => h.sent.length === 1, 'the first frame');
      h.streamer.onAck(0);
      h.damage.paintSilently({ x: 0, y: 0, width: 4, height: 4 }, [255, 0, 0]);
      await elapse(1000);
      expect(h.sent).toHaveLength(1); // unreported: nobody looked
      h.streamer.requestRefresh();
      await until(() => h.sent.length === 2, 'the refresh');
      expect(h.sent[1]).toMatchObject({ width: 320, height: 240, flags: FrameFlag.FULL | FrameFlag.LAST });
      expect(h.screen.grabs).toBe(2);
    });

    it('damage arriving while a grab runs is read right after it, not lost', async () => {
      const h = damageHarness({ maxInFlight: 8 });
      h.streamer.start();
      await until(() => h.sent.length === 1, 'the first frame');
      const read = h.damage.grabRegion.bind(h.damage);
      let once = true;
      h.damage.grabRegion = async (rect) => {
        const frame = await read(rect);
        // The screen changes again while the first change is being read.
        if (once) h.damage.paint({ x: 300, y: 200, width: 4, height: 4 }, [0, 0, 255]);
        once = false;
        return frame;
      };
      h.damage.paint({ x: 0, y: 0, width: 4, height: 4 }, [255, 0, 0]);
      await until(() => h.sent.length === 3, 'both changes');
      expect(h.sent.slice(1).map((r) => [r.x, r.y])).toEqual([[0, 0], [300, 200]]);
    });

    it('polls again, backing off as without damage, once the damage source stops working', async () => {
      const h = damageHarness({ maxIdleIntervalMs: 100 });
      h.streamer.start();
      await until(() => h.sent.length === 1, 'the first frame');
      h.streamer.onAck(0);
      h.damage.isHealthy = false; // e.g. the X connection of the damage source broke
      h.damage.paintSilently({ x: 0, y: 0, width: 4, height: 4 }, [255, 0, 0]);
      // Nobody reports this change: polling finds it within the back-off's ceiling.
      await until(() => h.sent.length === 2, 'the change found by polling', 101);
    });

    it('stops listening when stopped', async () => {
      const h = damageHarness();
      h.streamer.start();
      expect(h.damage.listenerCount).toBe(1);
      await settle(h.streamer.stop());
      expect(h.damage.listenerCount).toBe(0);
    });
  });

  it('stops for good: no grab and no timer left behind, even while it waits for an ack, and it cannot start again', async () => {
    const h = harness({ maxInFlight: 1 });
    await startAndTakeFirstFrame(h, { ack: false });
    await elapse(10); // blocked on the credit: only the ack-timeout timer (5 s) is pending
    await settle(h.streamer.stop());
    // A timer left behind would keep the agent's process alive for seconds after "stop".
    expect(jest.getTimerCount()).toBe(0);
    const grabs = h.screen.grabs;
    await elapse(10_000);
    expect(h.screen.grabs).toBe(grabs);
    expect(h.streamer.currentState).toBe('stopped');
    expect(() => h.streamer.start()).toThrow(/cannot go from stopped/);
  });
});

describe('FrameStreamer with a viewer that takes deflated RGB (format 3)', () => {
  it('sends a small change of text or flat colour lossless, without the JPEG encoder: the image inflates to the screen\'s pixels', async () => {
    const h = harness();
    h.streamer.allowDeflatedRgb(true);
    await startAndTakeFirstFrame(h);
    expect(h.sent[0]!.format).toBe(ImageFormat.JPEG); // the whole screen is far over the size tried
    const encodes = h.encoder.calls.length;
    h.screen.paint({ x: 130, y: 70, width: 5, height: 5 }, [255, 255, 0]);
    h.screen.paint({ x: 132, y: 72, width: 1, height: 1 }, [0, 0, 200]);
    await until(() => h.sent.length === 2, 'the change');
    const tile = { x: 128, y: 64, width: 64, height: 64 };
    expect(h.sent[1]).toMatchObject({ ...tile, format: ImageFormat.DEFLATED_RGB });
    expect(h.encoder.calls.length).toBe(encodes);
    expect(Buffer.from(inflateRawSync(h.images[1]!)).equals(Buffer.from(cropToRgb(await h.screen.grab(), tile)))).toBe(true);
    expect(h.streamer.stats.losslessRects).toBe(1);
  });

  it('sends a small change of photograph-like pixels as JPEG (deflated it would be larger than a byte a pixel)', async () => {
    const h = harness();
    h.streamer.allowDeflatedRgb(true);
    await startAndTakeFirstFrame(h);
    h.screen.paintNoise({ x: 128, y: 64, width: 64, height: 64 }, 1);
    await until(() => h.sent.length === 2, 'the change');
    expect(h.sent[1]).toMatchObject({ x: 128, y: 64, width: 64, height: 64, format: ImageFormat.JPEG });
    expect(h.streamer.stats.losslessRects).toBe(0);
  });

  it('never sends deflated RGB to a viewer that did not say it takes it', async () => {
    const h = harness();
    await startAndTakeFirstFrame(h);
    h.screen.paint({ x: 130, y: 70, width: 5, height: 5 }, [255, 255, 0]);
    await until(() => h.sent.length === 2, 'the change');
    expect(h.sent.map((r) => r.format)).toEqual([ImageFormat.JPEG, ImageFormat.JPEG]);
  });
});

describe('FrameStreamer during whole-screen motion', () => {
  /** Repaints the whole screen before every grab (a scroll, a video): every update is a large change. */
  function moveBeforeEveryGrab(screen: FakeScreenSource): { stop(): void } {
    let shade = 0;
    let moving = true;
    const grab = screen.grab.bind(screen);
    screen.grab = async () => {
      if (moving) screen.paint({ x: 0, y: 0, width: 320, height: 240 }, [shade++ & 255, 7, 9]);
      return grab();
    };
    return { stop: () => { moving = false; } };
  }

  /** Acknowledges every update as soon as it is sent, as a quick viewer would, until `count` updates were sent. */
  async function ackUntil(h: Harness, count: number): Promise<void> {
    await until(() => {
      for (const seq of h.updates()) h.streamer.onAck(seq);
      return h.updates().length >= count;
    }, `${count} updates`);
  }

  const SCALED_HALF = { width: 160, height: 120 };

  it('to a viewer that takes SCALED: the first large change sharp, then half resolution, then the whole screen sharp at maxQuality once it stops', async () => {
    const h = harness({ settleMs: 250, maxQuality: 80, initialQuality: 60, minQuality: 40 });
    h.streamer.allowScaledFrames(true);
    const motion = moveBeforeEveryGrab(h.screen);
    h.streamer.start();
    await ackUntil(h, 6);
    const [first, firstLarge, ...moving] = h.updates().slice(0, 6).map((seq) => h.update(seq)[0]!);
    expect(first!.flags & FrameFlag.SCALED).toBe(0); // the first frame
    expect(firstLarge!.flags & FrameFlag.SCALED).toBe(0); // one large change alone is no motion yet
    for (const header of moving) {
      expect(header).toMatchObject({ x: 0, y: 0, width: 320, height: 240, scaledImage: SCALED_HALF });
      expect(header.flags & (FrameFlag.SCALED | FrameFlag.FULL | FrameFlag.LAST)).toBe(FrameFlag.SCALED | FrameFlag.FULL | FrameFlag.LAST);
    }
    expect(h.encoder.calls.filter((c) => c.halve)).not.toHaveLength(0);

    motion.stop();
    const stoppedAt = Date.now();
    await until(() => {
      for (const seq of h.updates()) h.streamer.onAck(seq);
      return h.streamer.stats.repairs === 1;
    }, 'the sharp frame after the motion', 1000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(250); // settleMs after the last halved update
    for (const seq of h.updates()) h.streamer.onAck(seq);
    const last = h.sent.at(-1)!;
    expect(last).toMatchObject({ x: 0, y: 0, width: 320, height: 240, flags: FrameFlag.FULL | FrameFlag.LAST });
    expect(last.scaledImage).toBeUndefined();
    expect(h.encoder.calls.at(-1)).toMatchObject({ quality: 80, halve: false });
    // And then nothing: the page has the screen as it is.
    const sentBefore = h.sent.length;
    await elapse(2000);
    expect(h.sent).toHaveLength(sentBefore);
    expect(h.streamer.stats).toMatchObject({ repairs: 1 });
    expect(h.streamer.stats.halvedUpdates).toBeGreaterThanOrEqual(4);
  });

  it('motion that ends in a small change: that update is the whole screen sharp at maxQuality, not the small rectangle', async () => {
    const h = harness({ settleMs: 10_000, maxQuality: 80, initialQuality: 60, minQuality: 40 });
    h.streamer.allowScaledFrames(true);
    const motion = moveBeforeEveryGrab(h.screen);
    h.streamer.start();
    await ackUntil(h, 4);
    motion.stop();
    await ackUntil(h, h.updates().length); // acknowledge whatever is still on its way
    await elapse(100);
    for (const seq of h.updates()) h.streamer.onAck(seq);
    expect(h.sent.at(-1)!.flags & FrameFlag.SCALED).toBe(FrameFlag.SCALED); // no settle within 10 s: still halved
    const before = h.sent.length;
    h.screen.paint({ x: 5, y: 5, width: 4, height: 4 }, [255, 255, 255]);
    await until(() => h.sent.length > before, 'the small change');
    expect(h.sent.at(-1)).toMatchObject({ x: 0, y: 0, width: 320, height: 240, flags: FrameFlag.FULL | FrameFlag.LAST });
    expect(h.encoder.calls.at(-1)).toMatchObject({ quality: 80, halve: false });
    // The next small change is sent as it is again.
    h.streamer.onAck(h.sent.at(-1)!.seq);
    const next = h.sent.length;
    h.screen.paint({ x: 5, y: 5, width: 4, height: 4 }, [0, 0, 0]);
    await until(() => h.sent.length > next, 'the next small change');
    expect(h.sent.at(-1)).toMatchObject({ width: 64, height: 64 });
    expect(h.sent.at(-1)!.flags & FrameFlag.FULL).toBe(0);
  });

  it('the sharp frame after motion keeps a quality the technician fixed', async () => {
    const h = harness({ settleMs: 250, maxQuality: 80 });
    h.streamer.allowScaledFrames(true);
    h.streamer.setQuality(30);
    const motion = moveBeforeEveryGrab(h.screen);
    h.streamer.start();
    await ackUntil(h, 5);
    expect(h.streamer.stats.halvedUpdates).toBeGreaterThan(0);
    motion.stop();
    await until(() => {
      for (const seq of h.updates()) h.streamer.onAck(seq);
      return h.streamer.stats.repairs === 1;
    }, 'the sharp frame after the motion', 1000);
    expect(h.encoder.calls.at(-1)).toMatchObject({ quality: 30, halve: false });
  });

  it('never sends SCALED to a viewer that did not say it takes it, with an encoder that cannot halve, or to a whole-frames-only viewer', async () => {
    const cases: ((h: Harness) => void)[] = [
      () => undefined,
      (h) => { h.streamer.allowScaledFrames(true); h.encoder.halves = false; },
      (h) => { h.streamer.allowScaledFrames(true); },
    ];
    for (const [index, setUp] of cases.entries()) {
      const h = harness(index === 2 ? { wholeFramesOnly: true } : {});
      setUp(h);
      moveBeforeEveryGrab(h.screen);
      h.streamer.start();
      await ackUntil(h, 8);
      expect(h.sent.filter((header) => header.flags & FrameFlag.SCALED)).toEqual([]);
      expect(h.encoder.calls.filter((c) => c.halve)).toEqual([]);
      await settle(h.streamer.stop());
    }
  });
});
