/**
 * Limits guessing of access codes, so that finding one of a million codes within a code's
 * 10-minute life is hopeless, without letting a guesser lock out the technicians.
 *
 * - Each address (an addressKey: IPv4, or an IPv6 /64) may make `perAddress` guesses
 *   within the cool-down window; one more and it is refused for `cooldownMs`. Guesses
 *   are counted over the whole window, so a guesser that stays just under a per-minute
 *   rate is caught all the same.
 * - When everyone together makes `global` wrong guesses within `globalWindowMs`, the relay
 *   is on alert: an address with any guess in its window is refused until the window
 *   passes, so a guesser spread over many addresses gets one guess per address per
 *   window. An address with no recent guess is still heard: a technician with the right
 *   code gets in during an attack.
 *
 * Memory is bounded: at most `maxTrackedAddresses` addresses, the least recently touched
 * forgotten first, each with at most `perAddress` timestamps; the global count is a ring
 * of `global` timestamps.
 */
export interface AttemptLimiterOptions {
  readonly perAddress: number;
  readonly global: number;
  readonly globalWindowMs: number;
  /** How long a refused address waits, and the window its guesses are counted over. */
  readonly cooldownMs: number;
  readonly maxTrackedAddresses: number;
}

interface AddressRecord {
  /** Times of the guesses within the window, oldest first. */
  readonly guesses: number[];
  blockedUntil: number;
}

export type AttemptVerdict = 'allowed' | 'blocked' | 'blocked-on-alert';

/** What the hub asks of a guessing limiter: this node's (AttemptLimiter) or the cluster's (cluster/shared-attempt-limiter.ts). */
export interface GuessLimiter {
  verdict(key: string, now: number): AttemptVerdict;
  recordGuess(key: string, now: number, wrong?: boolean): void;
  readonly trackedAddresses: number;
}

export class AttemptLimiter implements GuessLimiter {
  /** Map iteration order is insertion order: re-inserting on touch makes it an LRU. */
  private readonly addresses = new Map<string, AddressRecord>();
  /** Times of the last `global` wrong guesses from everyone, as a ring. */
  private readonly recentWrong: number[];
  private ringNext = 0;
  private readonly windowMs: number;

  constructor(private readonly options: AttemptLimiterOptions) {
    this.recentWrong = new Array<number>(options.global).fill(Number.NEGATIVE_INFINITY);
    // A cool-down of 0 still needs some window to count guesses in.
    this.windowMs = Math.max(options.cooldownMs, options.globalWindowMs);
  }

  /** Whether `key` may guess now, and if not, why (for the log). */
  verdict(key: string, now: number): AttemptVerdict {
    const rec = this.addresses.get(key);
    if (rec === undefined) return 'allowed';
    if (rec.blockedUntil > now) return 'blocked';
    if (this.onAlert(now) && this.recentGuesses(rec, now) > 0) return 'blocked-on-alert';
    return 'allowed';
  }

  isBlocked(key: string, now: number): boolean {
    return this.verdict(key, now) !== 'allowed';
  }

  /**
   * One guess by `key`: a wrong code, or anything that could tell whether a code is live.
   * `wrong` guesses also count towards the global alert.
   */
  recordGuess(key: string, now: number, wrong = true): void {
    if (wrong) {
      this.recentWrong[this.ringNext] = now;
      this.ringNext = (this.ringNext + 1) % this.recentWrong.length;
    }
    let rec = this.addresses.get(key);
    if (rec) this.addresses.delete(key);
    else rec = { guesses: [], blockedUntil: 0 };
    this.prune(rec, now);
    rec.guesses.push(now);
    if (rec.guesses.length >= this.options.perAddress) {
      rec.blockedUntil = now + this.options.cooldownMs;
      rec.guesses.splice(0, rec.guesses.length - this.options.perAddress);
    }
    this.addresses.set(key, rec);
    while (this.addresses.size > this.options.maxTrackedAddresses) {
      const oldest = this.addresses.keys().next().value as string;
      this.addresses.delete(oldest);
    }
  }

  /** The relay sees a guessing attack: `global` wrong guesses within the global window. */
  onAlert(now: number): boolean {
    // The ring's next slot holds the oldest of the last `global` wrong guesses.
    return now - this.recentWrong[this.ringNext]! < this.options.globalWindowMs;
  }

  /** Addresses currently remembered (for tests and metrics). */
  get trackedAddresses(): number {
    return this.addresses.size;
  }

  private recentGuesses(rec: AddressRecord, now: number): number {
    this.prune(rec, now);
    return rec.guesses.length;
  }

  private prune(rec: AddressRecord, now: number): void {
    let drop = 0;
    while (drop < rec.guesses.length && now - rec.guesses[drop]! >= this.windowMs) drop++;
    if (drop > 0) rec.guesses.splice(0, drop);
  }
}
