/**
 * Counts events per key over a sliding window and says whether one more fits: used for
 * registrations per address per minute. Memory is bounded: at most `limit` timestamps per
 * key and `maxKeys` keys, the least recently touched forgotten first.
 */
/** What the hub asks of a per-key rate limit: this node's (RateWindow) or the cluster's (cluster/shared-rate-window.ts). */
export interface EventLimiter {
  /** Records one event for `key` if it fits within the limit; false (recording nothing) when it does not. */
  take(key: string, now: number): boolean;
}

export class RateWindow implements EventLimiter {
  /** Map iteration order is insertion order: re-inserting on touch makes it an LRU. */
  private readonly events = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly maxKeys: number) {}

  /** Records one event for `key` if it fits within the limit; false (recording nothing) when it does not. */
  take(key: string, now: number): boolean {
    const times = this.events.get(key) ?? [];
    this.events.delete(key);
    let drop = 0;
    while (drop < times.length && now - times[drop]! >= this.windowMs) drop++;
    if (drop > 0) times.splice(0, drop);
    const fits = times.length < this.limit;
    if (fits) times.push(now);
    this.events.set(key, times);
    while (this.events.size > this.maxKeys) this.events.delete(this.events.keys().next().value as string);
    return fits;
  }

  get trackedKeys(): number {
    return this.events.size;
  }
}
