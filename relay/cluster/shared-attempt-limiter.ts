import type { Logger } from 'pino';
import type { AttemptLimiterOptions, AttemptVerdict, GuessLimiter } from '../attempt-limiter';
import type { ClusterStore, GuessRule } from './cluster-store';

interface CachedAddress {
  guesses: number[];
  blockedUntil: number;
}

/**
 * The attempt limiter of a cluster: the same rules as AttemptLimiter (per address over the
 * cool-down window, the cluster-wide alert), counted in Redis so that wrong codes spread
 * over nodes add up. The hub asks synchronously; so before each guess is heard, the node
 * loads that address's count from Redis (`prepare`, one round trip), and each guess is
 * counted here at once and in Redis in one atomic script.
 *
 * Redis away: the node goes on with what it counted itself (the limits then hold per node,
 * which is what a single relay does) and says so in the log once per outage.
 */
export class SharedAttemptLimiter implements GuessLimiter {
  /** Addresses seen lately, least recently touched first (Map order): bounded like AttemptLimiter. */
  private readonly cache = new Map<string, CachedAddress>();
  private wrongInWindow = 0;
  private wrongCountedAt = Number.NEGATIVE_INFINITY;
  private readonly rule: GuessRule;
  private warned = false;

  constructor(private readonly store: ClusterStore, private readonly options: AttemptLimiterOptions, private readonly logger: Logger) {
    this.rule = {
      windowMs: Math.max(options.cooldownMs, options.globalWindowMs),
      perAddress: options.perAddress,
      cooldownMs: options.cooldownMs,
      globalWindowMs: options.globalWindowMs,
      global: options.global,
    };
  }

  /** Loads what the cluster counted for `key`; on failure, keeps this node's own count. */
  async prepare(key: string, now: number): Promise<void> {
    try {
      const state = await this.store.guessState(key, now, this.rule);
      this.warned = false;
      const rec = this.touch(key);
      // Merge: a guess counted here and not yet in Redis must not be forgotten.
      const merged = [...new Set([...state.guesses, ...rec.guesses])].sort((a, b) => a - b);
      rec.guesses = merged.slice(-this.options.perAddress);
      rec.blockedUntil = Math.max(rec.blockedUntil, state.blockedUntil);
      this.wrongInWindow = state.wrongInGlobalWindow;
      this.wrongCountedAt = now;
    } catch (err) {
      if (!this.warned) this.logger.warn({ err: (err as Error).message }, 'guess limits counted on this node only while redis is away');
      this.warned = true;
    }
  }

  verdict(key: string, now: number): AttemptVerdict {
    const rec = this.cache.get(key);
    if (rec === undefined) return 'allowed';
    if (rec.blockedUntil > now) return 'blocked';
    if (this.onAlert(now) && this.prune(rec, now) > 0) return 'blocked-on-alert';
    return 'allowed';
  }

  recordGuess(key: string, now: number, wrong = true): void {
    const rec = this.touch(key);
    this.prune(rec, now);
    rec.guesses.push(now);
    if (rec.guesses.length >= this.options.perAddress) {
      rec.blockedUntil = now + this.options.cooldownMs;
      rec.guesses.splice(0, rec.guesses.length - this.options.perAddress);
    }
    if (wrong && now - this.wrongCountedAt < this.options.globalWindowMs) this.wrongInWindow++;
    this.store.recordGuess(key, now, wrong, this.rule).catch((err: unknown) => {
      if (!this.warned) this.logger.warn({ err: (err as Error).message }, 'a guess could not be counted in redis; counted on this node');
      this.warned = true;
    });
  }

  get trackedAddresses(): number {
    return this.cache.size;
  }

  private onAlert(now: number): boolean {
    return now - this.wrongCountedAt < this.options.globalWindowMs && this.wrongInWindow >= this.options.global;
  }

  private touch(key: string): CachedAddress {
    let rec = this.cache.get(key);
    if (rec) this.cache.delete(key);
    else rec = { guesses: [], blockedUntil: 0 };
    this.cache.set(key, rec);
    while (this.cache.size > this.options.maxTrackedAddresses) this.cache.delete(this.cache.keys().next().value as string);
    return rec;
  }

  private prune(rec: CachedAddress, now: number): number {
    let drop = 0;
    while (drop < rec.guesses.length && now - rec.guesses[drop]! >= this.rule.windowMs) drop++;
    if (drop > 0) rec.guesses.splice(0, drop);
    return rec.guesses.length;
  }
}
