/**
 * A latency histogram that load-generator processes fill and the bench merges: fixed
 * buckets, so percentiles over many processes are exact to the bucket width without
 * shipping every sample over IPC. 0.05 ms buckets up to 100 ms (what the targets are
 * about), then 1 ms buckets up to 60 s; anything slower lands in the last bucket.
 */
const FINE_LIMIT_MS = 100;
const FINE_PER_MS = 20;
const FINE_BUCKETS = FINE_LIMIT_MS * FINE_PER_MS;
const COARSE_LIMIT_MS = 60_000;
const BUCKETS = FINE_BUCKETS + (COARSE_LIMIT_MS - FINE_LIMIT_MS);

/** Sparse form for IPC: [bucket index, count] pairs. */
export type HistogramData = ReadonlyArray<readonly [number, number]>;

function bucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < FINE_LIMIT_MS) return Math.floor(ms * FINE_PER_MS);
  return Math.min(BUCKETS - 1, FINE_BUCKETS + Math.floor(ms - FINE_LIMIT_MS));
}

/** Upper edge of a bucket, ms: a percentile is reported as at most this. */
function upperEdge(bucket: number): number {
  if (bucket < FINE_BUCKETS) return (bucket + 1) / FINE_PER_MS;
  return FINE_LIMIT_MS + (bucket - FINE_BUCKETS) + 1;
}

export class LatencyHistogram {
  private counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  record(ms: number): void {
    this.counts[bucketOf(ms)]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
  }

  merge(data: HistogramData, max: number): void {
    for (const [bucket, n] of data) {
      this.counts[bucket]! += n;
      this.count += n;
    }
    if (max > this.max) this.max = max;
  }

  toData(): HistogramData {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] !== 0) out.push([i, this.counts[i]!]);
    return out;
  }

  /** The p-th percentile (0–100), ms, to the bucket's upper edge; NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperEdge(i), Math.max(this.max, 1 / FINE_PER_MS));
    }
    return this.max;
  }
}
