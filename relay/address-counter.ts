/**
 * How many of something (open connections, sockets) each address holds, against a
 * per-address cap. Keys are addressKeys (IPv4, or IPv6 /64). An entry lives only while
 * its count is above zero, so the map holds at most one entry per open thing.
 */
/** What the hub asks of a per-address count (live sessions): this node's (AddressCounter) or the cluster's. */
export interface AddressCount {
  tryAdd(key: string): boolean;
  force(key: string): void;
  remove(key: string): void;
  count(key: string): number;
}

export class AddressCounter implements AddressCount {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Counts one more for `key` if it stays within the cap; false (counting nothing) when it would not. */
  tryAdd(key: string): boolean {
    const now = this.counts.get(key) ?? 0;
    if (now >= this.limit) return false;
    this.counts.set(key, now + 1);
    return true;
  }

  /** Counts one more for `key` even past the cap (something that already existed, moved here). */
  force(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  remove(key: string): void {
    const now = (this.counts.get(key) ?? 1) - 1;
    if (now > 0) this.counts.set(key, now);
    else this.counts.delete(key);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
