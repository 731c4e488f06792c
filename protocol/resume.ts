import { errorByCode, Errors } from './errors';
import type { SealedMessage } from './messages';

/**
 * The peers' half of resume (PROTOCOL.md §14): what each side keeps so that no sealed
 * text record (input, control) is lost, repeated or reordered across a dropped connection.
 * The relay keeps none of it: it never holds a record for a peer that is away, and it never
 * has the keys. Portable (the agent and the page both use it).
 *
 * - The sender keeps every sealed record it sent until the other side acknowledges it
 *   ({@link ResendBuffer}), and sends the kept ones again, as the same bytes with the same
 *   record number `n`, when the connection comes back.
 * - The receiver acknowledges now and then ({@link AckSchedule}) and drops a record it
 *   already has by its `n` ({@link InboundRecordFilter}) instead of taking it for a replay.
 */

/**
 * Whether an `error` from the relay means it ended the session itself (shutdown, age,
 * backlog …): then a close that follows is no drop to come back from. A missed heartbeat
 * is the one closing error that is a drop.
 */
export function relayEndedSession(errorCode: string): boolean {
  return errorByCode(errorCode)?.closeCode !== undefined && errorCode !== Errors.TIMEOUT_HEARTBEAT.code;
}

/** Most sealed records one side keeps unacknowledged; one more ends the session. */
export const MAX_UNACKED_RECORDS = 4096;
/** Most bytes (of the records' `box`) one side keeps unacknowledged; more ends the session. */
export const MAX_UNACKED_BYTES = 2 * 1024 * 1024;
/** The receiver acknowledges after this many records … */
export const ACK_EVERY_RECORDS = 32;
/** … or this long after the first record it has not acknowledged yet. */
export const ACK_DELAY_MS = 200;

/** What a record costs in the buffer: its box and a little for the rest. */
function recordBytes(record: SealedMessage): number {
  return record.box.length + 64;
}

/**
 * The sealed records one side sent and the other has not acknowledged, oldest first,
 * bounded in count and bytes. A side that cannot keep one more must end the session (the
 * other side would otherwise meet a gap after a resume and take it for an attack).
 */
export class ResendBuffer {
  private readonly held: SealedMessage[] = [];
  private heldBytes = 0;
  private lastSent = -1;

  constructor(private readonly maxRecords = MAX_UNACKED_RECORDS, private readonly maxBytes = MAX_UNACKED_BYTES) {}

  get count(): number {
    return this.held.length;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Keeps a record just sealed (in record order); false when it does not fit: end the session. */
  hold(record: SealedMessage): boolean {
    const size = recordBytes(record);
    if (this.held.length >= this.maxRecords || this.heldBytes + size > this.maxBytes) return false;
    this.held.push(record);
    this.heldBytes += size;
    this.lastSent = Math.max(this.lastSent, record.n);
    return true;
  }

  /**
   * The other side holds every record below `n`: forget those. An acknowledgement of a
   * record never sent (beyond the last one kept) is refused (false) and changes nothing;
   * an older one is harmless.
   */
  acknowledge(n: number): boolean {
    // Before the first record kept (those sent before the session could resume are not), nothing to judge by.
    if (this.lastSent < 0) return true;
    if (n > this.lastSent + 1) return false;
    while (this.held.length > 0 && this.held[0]!.n < n) this.heldBytes -= recordBytes(this.held.shift()!);
    return true;
  }

  /** Everything not acknowledged, oldest first: sent again, unchanged, once the other side is back. */
  unacknowledged(): readonly SealedMessage[] {
    return [...this.held];
  }
}

/** Timers, injectable so tests need not wait. */
export interface AckTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * When the receiver says how far it got: after {@link ACK_EVERY_RECORDS} records, or
 * {@link ACK_DELAY_MS} after the first one not yet acknowledged, whichever comes first;
 * and at once when asked (after a resume). Costs one small message per 32 records or
 * per 200 ms of traffic.
 */
export class AckSchedule {
  private expected = 0;
  private acknowledged = 0;
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly sendAck: (n: number) => void,
    private readonly timers: AckTimers,
    private readonly everyRecords = ACK_EVERY_RECORDS,
    private readonly delayMs = ACK_DELAY_MS,
  ) {}

  /** A record opened: `expected` is the next record number wanted. */
  received(expected: number): void {
    if (this.stopped) return;
    this.expected = expected;
    if (this.expected - this.acknowledged >= this.everyRecords) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.delayMs);
    }
  }

  /** Says how far this side got, now (also when nothing is new: after a resume the other side needs it). */
  flush(): void {
    if (this.stopped) return;
    this.clearTimer();
    this.acknowledged = this.expected;
    this.sendAck(this.expected);
  }

  /** The session is over: no more acknowledgements. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** What to do with an arriving sealed text record before opening it. */
export type RecordAdmission = 'open' | 'drop';

/**
 * Before a sealed text record is opened: one already received (its `n` below the next
 * expected) is a copy sent again after a resume, dropped without a word. Right after this
 * side resumed, records ahead of the next expected one are dropped too, until the expected
 * one arrives: the other side may have sent them on the new connection before it learnt we
 * were back, and it sends them again, after the missing ones, once it has. Otherwise a
 * record ahead is opened, and the record layer refuses the gap as an attack.
 */
export class InboundRecordFilter {
  private resyncing = false;

  /** This side just came back into its session. */
  resumed(): void {
    this.resyncing = true;
  }

  admit(n: number, expected: number): RecordAdmission {
    if (n < expected) return 'drop';
    if (n > expected) return this.resyncing ? 'drop' : 'open';
    this.resyncing = false;
    return 'open';
  }
}

/**
 * What a peer (the agent or the page) keeps to resume its session after a drop: the
 * relay's latest credential, when the connection dropped, the sealed records the other
 * side has not acknowledged yet (sent again, unchanged, on return), and the schedule of
 * its own acknowledgements. One per session that can resume: made on the first
 * `resume-token`, dropped with the session. The credential is a secret: never logged.
 */
export class ResumeKeeper {
  readonly outbox = new ResendBuffer();
  readonly inbound = new InboundRecordFilter();
  readonly acks: AckSchedule;
  private token: string | undefined;
  private graceMsNow = 0;
  private droppedAtMs: number | undefined;

  constructor(sendAck: (n: number) => void, timers: AckTimers, private readonly now: () => number = Date.now) {
    this.acks = new AckSchedule(sendAck, timers);
  }

  /** A new credential from the relay (the previous one no longer works). */
  credential(token: string, graceMs: number): void {
    this.token = token;
    this.graceMsNow = graceMs;
  }

  get graceMs(): number {
    return this.graceMsNow;
  }

  /** The connection dropped (the first drop of a run counts: retries do not extend the grace). */
  dropped(): void {
    this.droppedAtMs ??= this.now();
  }

  /** Back in the session. */
  back(): void {
    this.droppedAtMs = undefined;
  }

  /** Whether coming back can still work: a credential, and the grace period not over. */
  get mayResume(): boolean {
    return this.token !== undefined && (this.droppedAtMs === undefined || this.now() - this.droppedAtMs < this.graceMsNow);
  }

  /**
   * The credential to send in `resume`. Kept until the relay gives a new one: if the
   * connection drops again before the answer, the next try sends it again (the relay
   * refuses it if it was spent after all, and the session ends cleanly).
   */
  get currentCredential(): string | undefined {
    return this.token;
  }

  /** Keeps a record just sealed; false when the buffer is full (the session must end). */
  keep(record: SealedMessage): boolean {
    return this.outbox.hold(record);
  }

  stop(): void {
    this.acks.stop();
  }
}
