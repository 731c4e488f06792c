/**
 * Benchmark runner: `npm run bench` runs every bench/*.bench.ts, `npm run bench -- <name>`
 * only those whose name starts with <name>; further words go to that benchmark
 * (`npm run bench -- stream full` runs only the whole-screen scene). Prints a Markdown table on stdout (progress
 * goes to stderr), ready to paste into BENCHMARKS.md. Exits 1 if a benchmark failed.
 */
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchRow } from './support/benchmark';

const BENCH_DIR = __dirname;

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 10_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function row(bench: string, r: BenchRow): string {
  const baseline = r.baseline ? `${format(r.baseline.value)} (${r.baseline.name})` : '–';
  const ratio = r.baseline && r.baseline.value !== 0 ? `${format(r.value / r.baseline.value)}×` : '–';
  const target = r.target ? `${r.target.text} ${r.target.met ? 'met' : 'MISSED'}` : '–';
  return `| ${bench} | ${r.case} | ${format(r.value)} | ${r.unit} | ${baseline} | ${ratio} | ${target} | ${r.note ?? ''} |`;
}

async function main(): Promise<void> {
  const [filter, ...benchArgs] = process.argv.slice(2);
  const files = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.bench.ts')).sort();
  const benches: Benchmark[] = [];
  for (const file of files) {
    const mod = (await import(join(BENCH_DIR, file))) as { default: Benchmark | { default: Benchmark } };
    // tsx's CJS interop can nest the default export once more.
    const bench = 'run' in mod.default ? mod.default : mod.default.default;
    if (!filter || bench.name.startsWith(filter)) benches.push(bench);
  }
  if (benches.length === 0) {
    console.error(`no benchmark matches "${filter}"; have: ${files.join(', ')}`);
    process.exitCode = 1;
    return;
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Node ${process.version}, ${cpus().length} × ${cpu}, ${new Date().toISOString()}\n`);
  console.log('| bench | case | value | unit | baseline (same run) | value ÷ baseline | target | note |');
  console.log('|---|---|---:|---|---|---:|---|---|');
  let failed = false;
  for (const bench of benches) {
    const log = (message: string): void => { console.error(`[${bench.name}] ${message}`); };
    log(bench.description);
    try {
      const rows = await bench.run(log, benchArgs);
      for (const r of rows) console.log(row(bench.name, r));
    } catch (error) {
      failed = true;
      console.error(`[${bench.name}] FAILED`, error);
      console.log(`| ${bench.name} | FAILED: ${String((error as Error).message ?? error).replace(/\|/g, '/')} | | | | | | |`);
    }
  }
  if (failed) process.exitCode = 1;
}

void main();
