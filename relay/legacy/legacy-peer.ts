import {
  encodeFrameAck, FrameFlag, ImageFormat, parseFrame, type ControlMessage, type Role,
} from '../../protocol';
import type { PeerEnd, PeerLink } from '../peer-link';
import type { Session } from '../session';
import { TokenBucket } from '../token-bucket';
import { controlToLegacy, type LegacyEnvelope } from './legacy-translate';

export interface LegacyPeerHooks {
  now(): number;
  /** Most envelopes queued before the session is ended for not reading. */
  readonly maxQueue: number;
  /** Most bytes (JSON) of queued envelopes, the newest screen aside, likewise. */
  readonly maxQueueBytes: number;
  /** send_message calls and bytes per second this peer may make (sustained; bursts to twice). */
  readonly sendsPerSecond: number;
  readonly bytesPerSecond: number;
  /** The queue overflowed: the owner ends the session. */
  onOverflow(peer: LegacyPeer): void;
  /** A legacy technician took a screen: acknowledge it to the client so it can pace. */
  onScreenTaken(peer: LegacyPeer, ack: Uint8Array): void;
  /** A rectangle that is not the whole screen reached a legacy technician and was dropped. */
  onPartialFrame(peer: LegacyPeer): void;
}

/**
 * A peer of the old HTTP polling API, seen by the hub as any other peer. What the
 * other side sends is queued here until the peer polls (`receive`), in order and once
 * each. Screens are the exception: only the newest unread one is kept, so a slow poller
 * never makes images pile up. A long poll (`waitMs`) is answered as soon as anything
 * arrives. The queue is bounded in count and in bytes; past either bound the session
 * ends (the peer is not reading).
 *
 * `id` is this peer's own credential, returned to it as its `session_id`: it authorises
 * only this peer's role in this one pairing, never the other side's.
 */
export class LegacyPeer implements PeerLink {
  readonly legacy = true;
  readonly wholeFramesOnly: boolean;
  /** The old programs know nothing of end-to-end encryption. */
  readonly seals = false;
  /** The polling API knows nothing of resume: its drop ends the session as before. */
  readonly resumes = false;

  private joined: Session | undefined;
  private lastSeenAtMs: number;
  private endedAtMs: number | undefined;
  /** Sequence numbers of the frames or input events this peer sends. */
  private outSeq = 0;

  private queue: LegacyEnvelope[] = [];
  private queueBytes = 0;
  private readonly sendRate: TokenBucket;
  private readonly byteRate: TokenBucket;
  private screen: LegacyEnvelope | undefined;
  private screenAck: Uint8Array | undefined;
  private waiter: ((messages: LegacyEnvelope[]) => void) | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  private overflowed = false;

  constructor(
    readonly id: string,
    readonly role: Role,
    readonly name: string,
    private readonly hooks: LegacyPeerHooks,
  ) {
    this.wholeFramesOnly = role === 'technician';
    this.lastSeenAtMs = hooks.now();
    const now = performance.now();
    this.sendRate = new TokenBucket(hooks.sendsPerSecond, hooks.sendsPerSecond * 2, now);
    this.byteRate = new TokenBucket(hooks.bytesPerSecond, hooks.bytesPerSecond * 2, now);
  }

  /** One send_message of `bytes`: false when this peer sends faster than it may. */
  allowSend(bytes: number): boolean {
    const now = performance.now(); // monotonic: rates must not jump with the wall clock
    return this.sendRate.take(1, now) && this.byteRate.take(bytes, now);
  }

  /** The session this peer registered or joined; set once. */
  get session(): Session | undefined {
    return this.joined;
  }

  /** When the peer last polled: only a poll shows it is still there to read. */
  get lastSeenAt(): number {
    return this.lastSeenAtMs;
  }

  /** When its part of the session ended; undefined while it lasts. */
  get endedAt(): number | undefined {
    return this.endedAtMs;
  }

  /** The hub accepted this peer into `session`. */
  attach(session: Session): void {
    if (this.joined !== undefined) throw new Error('a legacy peer belongs to one session only');
    this.joined = session;
  }

  /** The sequence number for the next frame or input event this peer sends. */
  nextSeq(): number {
    const seq = this.outSeq;
    this.outSeq = (this.outSeq + 1) >>> 0;
    return seq;
  }

  // ---- PeerLink ------------------------------------------------------------------

  send(message: ControlMessage): void {
    const envelope = controlToLegacy(message);
    if (envelope !== undefined) this.deliver(envelope);
  }

  sendFrame(frame: Uint8Array): void {
    const parsed = parseFrame(frame);
    if (typeof parsed === 'string') return;
    const { header, image } = parsed;
    // An old technician draws every screen image over the whole screen: a partial
    // rectangle would be drawn stretched. Clients are told to send whole frames to such a
    // technician; if one does not, the rectangle is dropped and a full update asked for.
    // The same for deflated RGB (format 3): an old technician only reads JPEG and PNG, and
    // no client sends it one (it never names the format).
    const partial = header.x !== 0 || header.y !== 0 || header.width !== header.screenWidth || header.height !== header.screenHeight;
    if (partial || (header.format !== ImageFormat.JPEG && header.format !== ImageFormat.PNG)) {
      this.hooks.onPartialFrame(this);
      return;
    }
    this.screen = {
      sender: 'client',
      message: {
        type: 'screen',
        data: Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('base64'),
        format: header.format === ImageFormat.PNG ? 'png' : 'jpeg',
        width: header.width,
        height: header.height,
      },
    };
    // Whole frames only reach legacy technicians; the ack goes out when it is read.
    this.screenAck = header.flags & FrameFlag.LAST ? encodeFrameAck(header.seq, header.captureTimeMs) : undefined;
    this.wake();
  }

  sendAck(): void {
    // Legacy clients pace themselves by their polling interval.
  }

  end(reason: PeerEnd): void {
    if (this.endedAtMs !== undefined) return;
    this.endedAtMs = this.hooks.now();
    const notice = reason.kind === 'peer-left'
      ? { type: 'peer_left', reason: reason.reason }
      : { type: 'error', code: reason.error.code, message: reason.error.message };
    // What the other side said no longer matters once the session is over, and an ended
    // peer is kept for a grace time: keep only what the relay told it (small notices that
    // explain the end), so a mailbox nobody read is not held on to.
    this.queue = this.queue.filter((envelope) => envelope.sender === 'relay');
    this.queueBytes = this.queue.reduce((sum, envelope) => sum + envelopeBytes(envelope), 0);
    this.queue.push({ sender: 'relay', message: notice });
    this.screen = undefined;
    this.screenAck = undefined;
    this.wake();
  }

  // ---- polling -------------------------------------------------------------------

  /** Queues a legacy message as is (between two legacy peers, or a relay notice). */
  deliver(envelope: LegacyEnvelope): void {
    if (this.endedAtMs !== undefined) return;
    if (envelope.sender === 'client' && envelope.message.type === 'screen') {
      this.screen = envelope; // newest screen only
    } else {
      const bytes = envelopeBytes(envelope);
      if (this.queue.length >= this.hooks.maxQueue || this.queueBytes + bytes > this.hooks.maxQueueBytes) {
        if (!this.overflowed) {
          this.overflowed = true;
          this.hooks.onOverflow(this);
        }
        return;
      }
      this.queue.push(envelope);
      this.queueBytes += bytes;
    }
    this.wake();
  }

  /** Bytes queued for this peer, its newest screen aside (for tests and limits). */
  get queuedBytes(): number {
    return this.queueBytes;
  }

  /** True while a long poll is open: the peer is present even if it has not called lately. */
  get polling(): boolean {
    return this.waiter !== undefined;
  }

  /** Whether anything waits to be read. */
  get hasPending(): boolean {
    return this.queue.length > 0 || this.screen !== undefined;
  }

  /**
   * Everything queued, at once or (with `waitMs`) as soon as something arrives. When
   * `abandoned` fires (the poller hung up) the wait ends with nothing taken, so what
   * arrives next waits for the next poll instead of being written to a dead connection.
   */
  receive(waitMs: number, abandoned?: AbortSignal): Promise<LegacyEnvelope[]> {
    this.lastSeenAtMs = this.hooks.now();
    if (abandoned?.aborted) return Promise.resolve([]);
    if (this.hasPending || this.endedAtMs !== undefined || waitMs <= 0) return Promise.resolve(this.take());
    this.release(); // a newer poll replaces an older one
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.waitTimer = setTimeout(this.onWaitTimeout, waitMs);
      abandoned?.addEventListener('abort', () => {
        if (this.waiter !== resolve) return; // already answered, or replaced by a newer poll
        this.clearWait();
        resolve([]);
      }, { once: true });
    });
  }

  /** Answers any open long poll with nothing (shutdown, or a newer poll). */
  release(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.clearWait();
    waiter([]);
  }

  private readonly onWaitTimeout = (): void => {
    const waiter = this.waiter;
    this.waitTimer = undefined;
    this.waiter = undefined;
    this.lastSeenAtMs = this.hooks.now();
    waiter?.([]);
  };

  private wake(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.clearWait();
    this.lastSeenAtMs = this.hooks.now();
    waiter(this.take());
  }

  private clearWait(): void {
    if (this.waitTimer !== undefined) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    this.waiter = undefined;
  }

  private take(): LegacyEnvelope[] {
    const out = this.queue;
    this.queue = [];
    this.queueBytes = 0;
    if (this.screen !== undefined) {
      out.push(this.screen);
      this.screen = undefined;
      const ack = this.screenAck;
      this.screenAck = undefined;
      if (ack !== undefined) this.hooks.onScreenTaken(this, ack);
    }
    return out;
  }
}

/** The size of an envelope as it will be sent (its JSON), which is what the queue holds. */
function envelopeBytes(envelope: LegacyEnvelope): number {
  return JSON.stringify(envelope).length;
}
