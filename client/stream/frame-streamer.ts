import type { Logger } from 'pino';
import { encodeFrame, FrameFlag, ImageFormat, type FrameHeader, type ImageFormatValue } from '../../protocol/frame';
import type { RawFrame } from '../capture/raw-frame';
import type { ScreenSource } from '../capture/screen-source';
import { planUpdate, type UpdatePlan } from '../diff/plan-update';
import type { Rect } from '../diff/rect';
import type { RectEncoder } from '../encode/rect-encoder';
import { halvedSize } from '../encode/crop-half';
import { deflateSmallRect, MAX_LOSSLESS_PIXELS } from '../encode/deflated-rgb';
import { ScratchBuffers } from '../encode/scratch-buffers';
import { splitIntoBands } from '../encode/split-bands';
import { AdaptiveQuality } from './adaptive-quality';
import { MotionTracker, type MotionDecision } from './motion-tracker';
import { resolveStreamerOptions, type FrameStreamerOptions, type FrameStreamerOptionsInput } from './frame-streamer-options';

/** What a FrameStreamer works with; hardware and the socket are injected so tests use fakes. */
export interface FrameStreamerDeps {
  readonly source: ScreenSource;
  readonly encoder: RectEncoder;
  /**
   * Puts one binary FRAME message on the wire. May return a promise: the streamer waits
   * for it before the next message, so a slow socket slows capture instead of queueing.
   */
  readonly send: (bytes: Uint8Array) => void | Promise<void>;
  readonly logger?: Logger;
  /** Wall clock in ms since the epoch (the header's captureTimeMs). Injected for tests. */
  readonly now?: () => number;
}

/** Counters for logs, tests and benchmarks. */
export interface FrameStreamerStats {
  /** Grabs made, including still ones. */
  readonly grabs: number;
  /** Updates sent (each one or more rectangles). */
  readonly updates: number;
  /** Of those, updates sent at half resolution while the whole screen moved (SCALED). */
  readonly halvedUpdates: number;
  /** Of those, whole sharp updates sent once the motion stopped, to replace what went halved. */
  readonly repairs: number;
  /** Of those, full-screen updates. */
  readonly fullUpdates: number;
  readonly rects: number;
  /** Of those, rectangles sent lossless as deflated RGB (format 3). */
  readonly losslessRects: number;
  /** FRAME bytes handed to `send`, headers included. */
  readonly bytes: number;
  readonly acks: number;
  /** Updates given up after ackTimeoutMs. */
  readonly ackTimeouts: number;
  readonly errors: number;
  readonly inFlight: number;
  readonly quality: number;
  /** Smoothed grab → ack latency, ms. */
  readonly latencyMs: number | undefined;
}

/** Life cycle; `stopped` is final. */
export type FrameStreamerState = 'idle' | 'running' | 'stopped';

const TRANSITIONS: Readonly<Record<FrameStreamerState, readonly FrameStreamerState[]>> = {
  idle: ['running', 'stopped'],
  running: ['stopped'],
  stopped: [],
};

/** One rectangle's image bytes and the FRAME format they are in. */
interface EncodedImage {
  readonly bytes: Uint8Array;
  readonly format: ImageFormatValue;
}

/** A grabbed update waiting for its encode. */
interface PendingUpdate {
  readonly seq: number;
  readonly captureTimeMs: number;
  readonly frame: RawFrame;
  readonly full: boolean;
  readonly rects: readonly Rect[];
  readonly quality: number;
  /** Encoded at half resolution, sent with SCALED. */
  readonly halved: boolean;
  /** The whole screen sent sharp after motion, replacing what went halved. */
  readonly repair: boolean;
}

/** An update sent and not yet acknowledged. */
interface InFlight {
  readonly captureTimeMs: number;
}

const SEQ_MODULO = 2 ** 32;
/** A screen smaller than this on a side is never halved (nothing to gain, and a 1-pixel side cannot shrink). */
const MIN_HALVED_SIDE = 64;

/**
 * Resolves after pending I/O callbacks have run. Awaiting a resolved promise does not
 * do that (microtasks run before I/O), so without it a grab, the diff and the crops
 * would block the technician's input for their whole sum (seen: input p50 9–18 ms
 * while streaming); with it, for the longest single step.
 */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True when `a` is `b` or comes before it, in uint32 serial-number arithmetic (RFC 1982). */
function seqAtOrBefore(a: number, b: number): boolean {
  return (b - a + SEQ_MODULO) % SEQ_MODULO < SEQ_MODULO / 2;
}

/**
 * The capture → diff → encode → send loop of the client agent.
 *
 * Pacing is by credits: at most `maxInFlight` updates may be unacknowledged; the
 * technician acknowledges each update after drawing it, so capture runs at the speed the
 * viewer and the link can take, and nothing queues anywhere (a stale frame is worse than
 * a skipped one). A still screen sends nothing. One update is one grab: every rectangle
 * of it carries the same `seq` and `captureTimeMs`, and the last one the LAST flag.
 *
 * Throughput: large rectangles are cut into bands encoded side by side (sharp uses one
 * thread per image), and the next grab overlaps the current encode. While the whole screen
 * moves, a viewer that takes SCALED frames gets it at half resolution, and the whole screen
 * sharp once it settles (motion-tracker.ts). Measured figures are in BENCHMARKS.md.
 */
export class FrameStreamer {
  private readonly options: FrameStreamerOptions;
  private readonly quality: AdaptiveQuality;
  private readonly now: () => number;
  private state: FrameStreamerState = 'idle';
  /** The frame the viewer has (last one sent), to diff against. */
  private previous: RawFrame | undefined;
  private refreshPending = true;
  private nextSeq = 0;
  private readonly inFlight = new Map<number, InFlight>();
  /** The one timer: next tick (an immediate when it is due now). */
  private timer: { readonly kind: 'timeout'; readonly handle: ReturnType<typeof setTimeout> }
    | { readonly kind: 'immediate'; readonly handle: ReturnType<typeof setImmediate> } | undefined;
  /** The tick running now, awaited by stop(). */
  private running: Promise<void> | undefined;
  /** The encode and send of the last update; the next one waits for it. Never rejects. */
  private sending: Promise<void> = Promise.resolve();
  /** Something (an ack, a refresh) asked for a tick while one was running. */
  private wakeRequested = false;
  private lastGrabAt = -Infinity;
  private idleIntervalMs: number;
  /** Until this time (streamer clock) a still screen is looked at every minFrameIntervalMs: input was just injected. */
  private eagerUntil = -Infinity;
  /** Ends the subscription to the source's change signal, when it has one. */
  private unsubscribe: (() => void) | undefined;
  private counters = {
    grabs: 0, updates: 0, halvedUpdates: 0, repairs: 0, fullUpdates: 0, rects: 0, losslessRects: 0, bytes: 0, acks: 0, ackTimeouts: 0, errors: 0,
  };
  /** The viewer draws SCALED frames (it said so, and so did the relay): whole-screen motion may go halved. */
  private scaledFramesAllowed = false;
  /** The viewer draws format 3 (it said so): small rectangles may go lossless (encode/deflated-rgb.ts). */
  private deflatedRgbAllowed = false;
  /** The RGB copies of the small rectangles deflated here, two kept at the largest size. */
  private readonly losslessScratch = new ScratchBuffers(2 * MAX_LOSSLESS_PIXELS * 3);
  private readonly motion: MotionTracker;
  /** Fires settleMs after the last halved update, to send the screen sharp once it stopped. */
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Changes of picture (another monitor) waiting for the updates already grabbed to go out. */
  private readonly pendingSwitches: Array<() => boolean> = [];

  constructor(private readonly deps: FrameStreamerDeps, options: FrameStreamerOptionsInput = {}) {
    this.options = resolveStreamerOptions(options);
    this.quality = new AdaptiveQuality({
      min: this.options.minQuality,
      max: this.options.maxQuality,
      lowLatencyMs: this.options.lowLatencyMs,
      highLatencyMs: this.options.highLatencyMs,
      initial: this.options.initialQuality,
    }, this.options.fixedQuality);
    this.now = deps.now ?? Date.now;
    this.idleIntervalMs = this.options.minFrameIntervalMs;
    this.motion = new MotionTracker({ motionWindowMs: this.options.motionWindowMs });
  }

  get currentState(): FrameStreamerState {
    return this.state;
  }

  get stats(): FrameStreamerStats {
    return { ...this.counters, inFlight: this.inFlight.size, quality: this.quality.value, latencyMs: this.quality.latencyMs };
  }

  /**
   * Starts capturing. The first update is always a full frame. With a source that
   * reports changes (X11 DAMAGE), the streamer then waits for them instead of polling.
   */
  start(): void {
    this.transition('running');
    this.unsubscribe = this.deps.source.changes?.subscribe(() => this.wake());
    this.schedule(0);
  }

  /** Stops for good: clears the timer and waits for a grab or encode under way. Idempotent. */
  async stop(): Promise<void> {
    if (this.state !== 'stopped') this.transition('stopped');
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.clearTimer();
    this.clearSettleTimer();
    this.pendingSwitches.length = 0;
    await this.running;
    await this.sending;
    this.inFlight.clear();
    this.previous = undefined;
  }

  /**
   * The technician drew update `seq`. Acks are cumulative: updates are drawn in order, so
   * an ack also frees older updates whose own ack was lost (or whose frame the relay dropped).
   */
  onAck(seq: number): void {
    const entry = this.inFlight.get(seq);
    if (entry === undefined) return; // late, duplicate, or given up on: nothing to free
    this.counters.acks++;
    this.quality.onAck(this.now() - entry.captureTimeMs);
    for (const key of [...this.inFlight.keys()]) {
      if (seqAtOrBefore(key, seq)) this.inFlight.delete(key);
    }
    this.wake();
  }

  /** The next update is a full frame (the viewer joined, lost a frame, or asked). */
  requestRefresh(): void {
    this.refreshPending = true;
    this.wake();
  }

  /**
   * Runs `switchPicture` (the technician picked another monitor: it moves the view and
   * tells the page) once every update already grabbed has gone out and before the next
   * grab, and, when it returns true (the picture did switch), makes that next update a full
   * one. So this side sends the old picture's frames, then what `switchPicture` sends, then
   * only the new picture: never a frame of the old monitor after telling of the new one (a
   * relay holding frames for a busy page may still deliver one later, PROTOCOL.md §8).
   * A choice refused (false) costs no full update. Not running, it runs at once.
   */
  betweenUpdates(switchPicture: () => boolean): void {
    if (this.state !== 'running') {
      switchPicture();
      return;
    }
    this.pendingSwitches.push(switchPicture);
    this.wake();
  }

  /**
   * Something was just done to the screen (the agent injected a key or a click): look at it
   * now, and keep looking every minFrameIntervalMs for nudgeWindowMs, instead of waiting
   * out the still-screen back-off. Cheap to call for every input event: it never grabs
   * faster than minFrameIntervalMs, and takes no credit (with none free, the ack wakes us).
   */
  nudge(): void {
    if (this.state !== 'running') return;
    this.eagerUntil = this.now() + this.options.nudgeWindowMs;
    this.wake();
  }

  /**
   * Whether the viewer takes SCALED frames (it announced `scaled-frames`, and the relay
   * routes them). Only then, and only with an encoder that can halve, does whole-screen
   * motion go at half resolution. Off by default: an older page would draw nothing wrong
   * but an older relay ends the socket on the unknown flag.
   */
  allowScaledFrames(allowed: boolean): void {
    this.scaledFramesAllowed = allowed;
  }

  /**
   * Whether the viewer draws FRAME format 3, deflated RGB (it announced `deflated-rgb`; the
   * relay need not know it). Only then do small rectangles of text and flat colours go
   * lossless, without the JPEG encoder here and the image decoder in the page: the echo of
   * a key comes sooner and sharp. Off by default: an older page would refuse the format.
   */
  allowDeflatedRgb(allowed: boolean): void {
    this.deflatedRgbAllowed = allowed;
  }

  /** A fixed JPEG quality 1–100, or `'auto'` for adaptive quality. */
  setQuality(quality: number | 'auto'): void {
    if (quality !== 'auto' && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
      throw new RangeError(`quality must be 1–100 or 'auto', got ${quality}`);
    }
    this.quality.setFixed(quality === 'auto' ? undefined : quality);
  }

  private transition(to: FrameStreamerState): void {
    if (!TRANSITIONS[this.state].includes(to)) throw new Error(`frame streamer: cannot go from ${this.state} to ${to}`);
    this.state = to;
  }

  /** Ticks as soon as pacing allows; used when a credit frees up or a refresh is asked. */
  private wake(): void {
    if (this.state !== 'running') return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.idleIntervalMs = this.options.minFrameIntervalMs;
    this.schedule(Math.max(0, this.lastGrabAt + this.options.minFrameIntervalMs - this.now()));
  }

  /**
   * Runs the next tick after `delayMs`. Due now (damage just came to an idle streamer, an
   * ack freed a credit), it runs after the I/O already waiting, not on a timer: Node's
   * setTimeout(0) is at least 1 ms, and the agent's trace of a key's echo showed 1.1–1.5 ms
   * from the damage to the grab there (2026-12-02), a tenth of the whole on X → seen.
   */
  private schedule(delayMs: number): void {
    this.clearTimer();
    if (this.state !== 'running') return;
    this.timer = delayMs <= 0
      ? { kind: 'immediate', handle: setImmediate(this.onTimer) }
      : { kind: 'timeout', handle: setTimeout(this.onTimer, delayMs) };
  }

  private clearTimer(): void {
    if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
    else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
    this.timer = undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.state !== 'running' || this.running) return;
    this.running = this.tick().finally(() => {
      this.running = undefined;
    });
  };

  /** One step: free timed-out credits, then grab and maybe send; then plan the next step. */
  private async tick(): Promise<void> {
    this.wakeRequested = false;
    if (this.pendingSwitches.length > 0) await this.switchPictures();
    if (this.state !== 'running') return;
    if (this.waitsForChange()) return; // no timer: the change signal, an ack or a refresh wakes us
    const blockedForMs = this.expireAcks();
    if (blockedForMs !== undefined) {
      // No credit: an ack will wake us; the timer only guards against acks that never come.
      this.schedule(blockedForMs);
      return;
    }
    let nextDelayMs: number;
    try {
      nextDelayMs = await this.captureAndSend();
    } catch (error) {
      this.counters.errors++;
      this.deps.logger?.warn({ err: error }, 'screen grab failed; retrying');
      // What the viewer has is unknown now: start again from a full frame (a sharp one: it
      // also replaces anything sent halved).
      this.previous = undefined;
      this.refreshPending = true;
      nextDelayMs = this.options.errorRetryMs;
    }
    if (this.state !== 'running') return;
    if (this.wakeRequested && this.inFlight.size < this.options.maxInFlight) {
      nextDelayMs = Math.max(0, this.lastGrabAt + this.options.minFrameIntervalMs - this.now());
    }
    this.schedule(nextDelayMs);
  }

  /**
   * Applies the pending picture switches in the order asked, after the last grabbed update
   * went out (a credit is not needed: the page is told at once, the grab waits for one).
   */
  private async switchPictures(): Promise<void> {
    await this.sending;
    if (this.state !== 'running') return;
    let switched = false;
    for (const switchPicture of this.pendingSwitches.splice(0)) {
      try {
        if (switchPicture()) switched = true;
      } catch (error) {
        this.deps.logger?.warn({ err: error }, 'switching the streamed picture failed');
        switched = true; // the view may have moved before it failed: start again from a full update
      }
    }
    if (!switched) return;
    // What the page has is of another picture: the next update replaces all of it.
    this.previous = undefined;
    this.refreshPending = true;
  }

  /**
   * True when the source reports changes, none is pending, and the viewer has the screen
   * as it is: grabbing now would find nothing. A still screen then costs no grab and no
   * timer at all, where polling cost a 1080p grab every maxIdleIntervalMs.
   */
  private waitsForChange(): boolean {
    const changes = this.deps.source.changes;
    return changes !== undefined && changes.active() && !changes.pending() && !this.refreshPending && this.previous !== undefined;
  }

  /**
   * Gives up on updates older than ackTimeoutMs. Returns undefined when a credit is free,
   * else how long until the oldest update times out.
   */
  private expireAcks(): number | undefined {
    if (this.inFlight.size < this.options.maxInFlight) return undefined;
    const now = this.now();
    let oldest = Infinity;
    for (const entry of this.inFlight.values()) oldest = Math.min(oldest, entry.captureTimeMs);
    const waitMs = oldest + this.options.ackTimeoutMs - now;
    if (waitMs > 0) return waitMs;
    this.counters.ackTimeouts += this.inFlight.size;
    this.deps.logger?.warn({ inFlight: this.inFlight.size }, 'frame acks timed out; sending a full frame next');
    this.inFlight.clear();
    this.refreshPending = true;
    return undefined;
  }

  /**
   * Grabs and diffs one frame and, if it changed, hands it to the encoder. Returns the
   * delay before the next grab.
   *
   * The grab of frame N+1 overlaps the encode of frame N (encoding runs on libuv's
   * threads, grabbing and cropping on this one), but never more than that: a new update
   * waits for the previous encode before it is queued, so at most one grabbed frame waits
   * and memory stays bounded.
   */
  private async captureAndSend(): Promise<number> {
    const grabStartedAt = this.now();
    this.lastGrabAt = grabStartedAt;
    // A refresh (and the first frame) reads the whole screen even from a damage-driven
    // source: it also repairs whatever the tracking might have missed.
    const frame = await this.deps.source.grab(this.refreshPending ? { full: true } : undefined);
    const captureTimeMs = this.now();
    this.counters.grabs++;
    // The grab blocked the thread; let waiting input through before the diff blocks it again.
    await yieldToIo();
    if (this.state !== 'running') return 0;

    const plan = this.plan(frame);
    if (plan.kind === 'none') {
      // Same pixels as what the viewer has: keep the newer frame, so the next damage-driven
      // frame (which says how it differs from this one) can be compared where it changed only.
      if (this.previous !== undefined && !this.refreshPending) this.previous = frame;
      // Still screen: send nothing and poll less often, up to maxIdleIntervalMs, unless
      // input was just injected and its echo is due any moment.
      if (this.now() < this.eagerUntil) {
        this.idleIntervalMs = this.options.minFrameIntervalMs;
        return Math.max(0, grabStartedAt + this.options.minFrameIntervalMs - this.now());
      }
      const delay = this.idleIntervalMs;
      this.idleIntervalMs = Math.min(this.options.maxIdleIntervalMs, Math.max(1, this.idleIntervalMs * 2));
      return Math.max(0, grabStartedAt + delay - this.now());
    }
    this.idleIntervalMs = this.options.minFrameIntervalMs;
    const motion = this.motionDecision(plan, frame, captureTimeMs);
    // A repair replaces the whole screen, whatever the diff found.
    const full = plan.kind === 'full' || motion === 'repair';
    const whole: readonly Rect[] = plan.kind === 'rects' && !full ? plan.rects : [{ x: 0, y: 0, width: frame.width, height: frame.height }];
    // A whole-frames-only viewer needs the screen as one image: no bands for it.
    const maxBands = this.options.wholeFramesOnly ? 1 : this.options.encodeParallelism;
    const bandOptions = { maxBands, minBandPixels: this.options.minBandPixels };
    const update: PendingUpdate = {
      seq: this.nextSeq,
      captureTimeMs,
      frame,
      full,
      rects: whole.flatMap((rect) => splitIntoBands(rect, bandOptions)),
      // The sharp frame after motion is the one the technician looks at: the best quality
      // (the technician's own choice when they fixed one).
      quality: motion === 'repair' ? this.quality.best : this.quality.value,
      halved: motion === 'halve',
      repair: motion === 'repair',
    };
    if (motion === 'halve') this.armSettleTimer();
    else if (motion === 'repair') this.clearSettleTimer();
    // From here the update counts as in flight and is what the viewer will have next.
    this.nextSeq = (this.nextSeq + 1) % SEQ_MODULO;
    this.inFlight.set(update.seq, { captureTimeMs });
    this.previous = frame;
    this.refreshPending = false;
    await this.sending;
    this.sending = this.encodeAndSend(update);
    return Math.max(0, grabStartedAt + this.options.minFrameIntervalMs - this.now());
  }

  /** Encodes the rectangles of one update side by side and sends them in order. Never rejects. */
  private async encodeAndSend(update: PendingUpdate): Promise<void> {
    try {
      const { frame, rects, full, seq, captureTimeMs, quality, halved, repair } = update;
      // Each encode starts with a synchronous crop of its band; starting them one event-loop
      // turn apart lets input events run between crops (they still encode in parallel).
      const encodes: Promise<EncodedImage>[] = [];
      for (const rect of rects) {
        await yieldToIo();
        const encode = this.encodeRect(frame, rect, quality, halved);
        // Handled at once: a band failing while later ones start must not be an unhandled rejection.
        encode.catch(() => undefined);
        encodes.push(encode);
      }
      const images = await Promise.all(encodes);
      if (this.state !== 'running') return;
      for (const [index, rect] of rects.entries()) {
        const header: FrameHeader = {
          flags: (full ? FrameFlag.FULL : 0) | (index === rects.length - 1 ? FrameFlag.LAST : 0) | (halved ? FrameFlag.SCALED : 0),
          seq,
          captureTimeMs,
          // The monitor this frame shows, when one of several is streamed (cropToView).
          displayId: frame.displayId ?? this.options.displayId,
          format: images[index]!.format,
          rectIndex: index,
          x: rect.x,
          y: rect.y,
          width: rect.width,
          height: rect.height,
          screenWidth: frame.width,
          screenHeight: frame.height,
          ...(halved ? { scaledImage: halvedSize(rect) } : {}),
        };
        const bytes = encodeFrame(header, images[index]!.bytes);
        this.counters.bytes += bytes.byteLength;
        this.counters.rects++;
        if (header.format === ImageFormat.DEFLATED_RGB) this.counters.losslessRects++;
        await this.deps.send(bytes);
      }
      this.counters.updates++;
      if (full) this.counters.fullUpdates++;
      if (halved) this.counters.halvedUpdates++;
      if (repair) this.counters.repairs++;
    } catch (error) {
      this.counters.errors++;
      this.deps.logger?.warn({ err: error }, 'frame encode or send failed; a full frame follows');
      // The viewer may have part of this update, and the next one was diffed against it.
      this.inFlight.delete(update.seq);
      this.previous = undefined;
      this.refreshPending = true;
      this.wake();
    }
  }

  /**
   * One rectangle's image: deflated RGB when the viewer takes it and the rectangle is small
   * and compresses well (done here, at once), else the encoder's (JPEG, off this thread).
   */
  private async encodeRect(frame: RawFrame, rect: Rect, quality: number, halved: boolean): Promise<EncodedImage> {
    if (this.deflatedRgbAllowed && !halved) {
      const lossless = deflateSmallRect(frame, rect, this.losslessScratch);
      if (lossless !== undefined) return { bytes: lossless, format: ImageFormat.DEFLATED_RGB };
    }
    const bytes = await this.deps.encoder.encode(frame, rect, quality, halved ? { halve: true } : undefined);
    return { bytes, format: this.deps.encoder.format };
  }

  /**
   * Half resolution while the whole screen moves, to a viewer that takes it; a sharp whole
   * frame once it stops. Only whole screens go halved, and only real ones: the protocol
   * wants a SCALED image smaller than its rectangle, and each band is at least 16 rows.
   */
  private motionDecision(plan: UpdatePlan, frame: RawFrame, now: number): MotionDecision {
    if (!this.scaledFramesAllowed || this.options.wholeFramesOnly || this.deps.encoder.halves !== true) return 'as-planned';
    if (frame.width < MIN_HALVED_SIDE || frame.height < MIN_HALVED_SIDE) return 'as-planned';
    const large = plan.kind === 'full' && plan.reason === 'large-change';
    return this.motion.decide(large, now);
  }

  /**
   * After a halved update, if no other update comes within settleMs, the screen stopped:
   * ask for a refresh, which goes out whole, sharp and at the best quality (the tracker
   * still owes a repair). With a damage-driven source nothing else would wake the streamer.
   */
  private armSettleTimer(): void {
    this.clearSettleTimer();
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      if (this.state === 'running' && this.motion.needsRepair) this.requestRefresh();
    }, this.options.settleMs);
  }

  private clearSettleTimer(): void {
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
  }

  private plan(frame: RawFrame): UpdatePlan {
    if (this.refreshPending) return { kind: 'full', reason: this.previous === undefined ? 'first' : 'requested' };
    const plan = planUpdate(this.previous, frame, this.options.plan);
    // A legacy viewer can only replace the whole picture.
    if (plan.kind === 'rects' && this.options.wholeFramesOnly) return { kind: 'full', reason: 'large-change' };
    return plan;
  }
}
