/**
 * What every bench/*.bench.ts module exports as default, and what the runner prints.
 * Each measurement is printed beside a baseline measured in the same run, with the
 * ratio value ÷ baseline, so a figure is always read against something on the same machine.
 */
/** Issue 11's targets for sealed against clear (stream and e2e): frame rate kept, latency added. */
export const SEALED_TARGETS = Object.freeze({ fpsRatio: 0.95, captureToAckAddedMs: 2, inputAddedMs: 1 });

export interface BenchRow {
  /** What was measured, e.g. `nut-js screen.grab() 1920x1080`. */
  readonly case: string;
  readonly value: number;
  /** Unit of value and baseline, e.g. `ms/frame`, `fps`, `B/s`. */
  readonly unit: string;
  /** The reference measured in the same run. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** A target the value must meet, e.g. `≥ 30`; the runner marks it met or missed. */
  readonly target?: { readonly text: string; readonly met: boolean };
  readonly note?: string;
}

export interface Benchmark {
  /** Name used on the command line: `npm run bench -- <name>`. */
  readonly name: string;
  readonly description: string;
  /**
   * Runs the measurements. `log` prints progress to stderr, so stdout stays the table.
   * `args` are the command-line words after the benchmark's name (`npm run bench -- stream full`).
   */
  run(log: (message: string) => void, args: readonly string[]): Promise<BenchRow[]>;
}

/** The rows with `text` in front of each note: what every row of a run has in common. */
export function withNote(rows: readonly BenchRow[], text: string): BenchRow[] {
  return rows.map((row) => ({ ...row, note: row.note ? `${text}; ${row.note}` : text }));
}

/** The value of a `name=value` word after the benchmark's name (`npm run bench -- relay-latency repeats=5`), if given. */
export function benchArg(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** Mean of a list of numbers. */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** Median of a list of numbers (robust to the odd slow run on a shared machine). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The run in the middle by `value` (the upper one of the two middles for an even count).
 * Whole runs are kept, not per-field medians, so the figures of one row agree.
 */
export function medianRun<T>(runs: readonly T[], value: (run: T) => number): T {
  if (runs.length === 0) throw new Error('medianRun of no runs');
  return [...runs].sort((a, b) => value(a) - value(b))[runs.length >> 1]!;
}

/** Runs `fn` `warmup` times unmeasured, then `runs` times; returns each run's duration in ms. */
export async function timeRuns(runs: number, fn: () => unknown, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

/** Wall time and process CPU time (all threads: sharp's libuv workers too) of one call, ms. */
export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Times several variants in rounds, each round running every variant once in an order
 * that rotates from round to round, so that a neighbour's burst on a shared machine falls
 * on all of them alike. Returns each variant's timings, in the order given.
 */
export async function timeInterleaved(rounds: number, variants: readonly (() => unknown)[], warmup = 2): Promise<Timing[][]> {
  for (let i = 0; i < warmup; i++) for (const fn of variants) await fn();
  const out: Timing[][] = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (r + k) % variants.length;
      const cpu = process.cpuUsage();
      const start = performance.now();
      await variants[v]!();
      const wallMs = performance.now() - start;
      const used = process.cpuUsage(cpu);
      out[v]!.push({ wallMs, cpuMs: (used.user + used.system) / 1000 });
    }
  }
  return out;
}

/** The p-th percentile (0–100) of a list, nearest rank; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
