/**
 * Limits wrong access codes, per address and for everyone together, so that guessing
 * one of a million codes is hopeless within a code's 10-minute life. Memory is bounded:
 * at most `maxTrackedAddresses` entries, the least recently touched forgotten first.
 */
export interface AttemptLimiterOptions {
  readonly perAddress: number;
  readonly global: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
  readonly maxTrackedAddresses: number;
}

interface AddressRecord {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

export class AttemptLimiter {
  /** Map iteration order is insertion order: re-inserting on touch makes it an LRU. */
  private readonly addresses = new Map<string, AddressRecord>();
  private globalWindowStart = 0;
  private globalFailures = 0;

  constructor(private readonly options: AttemptLimiterOptions) {}

  /** True when this address (or everyone) must wait before trying another code. */
  isBlocked(address: string, now: number): boolean {
    if (now - this.globalWindowStart < this.options.windowMs && this.globalFailures >= this.options.global) return true;
    const rec = this.addresses.get(address);
    return rec !== undefined && rec.blockedUntil > now;
  }

  /** Records one wrong code. */
  recordFailure(address: string, now: number): void {
    if (now - this.globalWindowStart >= this.options.windowMs) {
      this.globalWindowStart = now;
      this.globalFailures = 0;
    }
    this.globalFailures++;

    let rec = this.addresses.get(address);
    if (rec) this.addresses.delete(address);
    if (!rec || now - rec.windowStart >= this.options.windowMs) {
      rec = { windowStart: now, failures: 0, blockedUntil: rec?.blockedUntil ?? 0 };
    }
    rec.failures++;
    if (rec.failures >= this.options.perAddress) rec.blockedUntil = now + this.options.cooldownMs;
    this.addresses.set(address, rec);
    while (this.addresses.size > this.options.maxTrackedAddresses) {
      const oldest = this.addresses.keys().next().value as string;
      this.addresses.delete(oldest);
    }
  }

  /** Addresses currently remembered (for tests and metrics). */
  get trackedAddresses(): number {
    return this.addresses.size;
  }
}
