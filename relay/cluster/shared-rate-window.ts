import type { Logger } from 'pino';
import type { EventLimiter } from '../rate-window';
import type { ClusterStore } from './cluster-store';

/**
 * A per-key sliding-window limit counted for the whole cluster (registrations per address
 * per minute): the same rule as RateWindow. As with the guess limiter, the hub asks
 * synchronously; the node loads the key's events from Redis first (`prepare`), and each
 * event taken is counted here at once and added in Redis. Redis away: counted on this
 * node only, said once in the log.
 */
export class SharedRateWindow implements EventLimiter {
  /** Events per key, oldest first; least recently touched key first (Map order), bounded. */
  private readonly events = new Map<string, number[]>();
  private warned = false;

  constructor(
    private readonly store: ClusterStore,
    private readonly kind: string,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly logger: Logger,
  ) {}

  async prepare(key: string, now: number): Promise<void> {
    try {
      const shared = await this.store.windowRead(this.kind, key, now, this.windowMs);
      this.warned = false;
      const mine = this.touch(key);
      const merged = [...new Set([...shared, ...mine])].sort((a, b) => a - b);
      mine.splice(0, mine.length, ...merged.slice(-this.limit));
    } catch (err) {
      this.warn(err);
    }
  }

  take(key: string, now: number): boolean {
    const times = this.touch(key);
    let drop = 0;
    while (drop < times.length && now - times[drop]! >= this.windowMs) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= this.limit) return false;
    times.push(now);
    this.store.windowAdd(this.kind, key, now, this.windowMs).catch((err: unknown) => this.warn(err));
    return true;
  }

  private touch(key: string): number[] {
    const times = this.events.get(key) ?? [];
    this.events.delete(key);
    this.events.set(key, times);
    while (this.events.size > this.maxKeys) this.events.delete(this.events.keys().next().value as string);
    return times;
  }

  private warn(err: unknown): void {
    if (!this.warned) this.logger.warn({ err: (err as Error).message, limit: this.kind }, 'a limit counted on this node only while redis is away');
    this.warned = true;
  }
}
