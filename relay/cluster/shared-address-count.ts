import type { Logger } from 'pino';
import { AddressCounter, type AddressCount } from '../address-counter';
import type { ClusterStore } from './cluster-store';

/**
 * Live sessions per address for the whole cluster (MAX_SESSIONS_PER_IP): this node counts
 * its own as AddressCounter does and keeps them in Redis in a field of its own; before a
 * registration is heard, the other live nodes' counts are loaded (`prepare`). A dead
 * node's count stops counting with its heartbeat. Redis away: this node's own count only.
 */
export class SharedAddressCount implements AddressCount {
  private readonly local: AddressCounter;
  /** What the other nodes held at the last `prepare`, by address; bounded like the other limiters. */
  private readonly others = new Map<string, number>();
  private warned = false;

  constructor(private readonly store: ClusterStore, private readonly limit: number, private readonly ttlMs: number, private readonly maxKeys: number, private readonly logger: Logger) {
    this.local = new AddressCounter(limit);
  }

  async prepare(key: string): Promise<void> {
    try {
      const n = await this.store.othersLive(key);
      this.warned = false;
      this.others.delete(key);
      if (n > 0) this.others.set(key, n);
      while (this.others.size > this.maxKeys) this.others.delete(this.others.keys().next().value as string);
    } catch (err) {
      this.warn(err);
    }
  }

  count(key: string): number {
    return this.local.count(key) + (this.others.get(key) ?? 0);
  }

  tryAdd(key: string): boolean {
    if (this.count(key) >= this.limit) return false;
    this.local.force(key);
    this.change(key, 1);
    return true;
  }

  force(key: string): void {
    this.local.force(key);
    this.change(key, 1);
  }

  remove(key: string): void {
    this.local.remove(key);
    this.change(key, -1);
  }

  private change(key: string, by: number): void {
    this.store.changeLive(key, by, this.ttlMs).catch((err: unknown) => this.warn(err));
  }

  private warn(err: unknown): void {
    if (!this.warned) this.logger.warn({ err: (err as Error).message }, 'live sessions per address counted on this node only while redis is away');
    this.warned = true;
  }
}
