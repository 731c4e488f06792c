/**
 * CPU profiles of a benchmark's window, for finding where time goes (Chrome DevTools or
 * `npx tsx bench/support/cpu-profile.ts <file>` read them). Opt-in: set
 * BENCH_CPU_PROFILE_DIR=<folder> and the stream benchmark profiles the agent's main thread
 * and its own process (relay and technician) over each run's frame-rate window. `--cpu-prof`
 * cannot be used: Node refuses it in NODE_OPTIONS, and the agent is stopped with SIGTERM.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Where profiles go, if asked for. */
export const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;

/** Starts the V8 sampling profiler in this thread; the returned function stops it and writes `file`. */
export async function startCpuProfile(): Promise<(file: string) => Promise<string>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(CPU_PROFILE_DIR ?? '.', { recursive: true });
    const path = join(CPU_PROFILE_DIR ?? '.', file);
    writeFileSync(path, JSON.stringify(profile));
    return path;
  };
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/**
 * Self and total time by function (name and file), ms, from a .cpuprofile: the summary
 * printed by `npx tsx bench/support/cpu-profile.ts <file> [top]`.
 */
export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const key = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(wt-[^/]+|main)\//, '').replace(/^file:\/\//, '')}:${n.callFrame.lineNumber + 1}`;
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    selfBy.set(key(node), (selfBy.get(key(node)) ?? 0) + ms);
    // Each function once per stack, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at)!);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + ms);
    }
  }
  const wall = (profile.endTime - profile.startTime) / 1000;
  const idle = [...selfBy].filter(([k]) => k.startsWith('(idle)')).reduce((n, [, v]) => n + v, 0);
  const lines = [`wall ${wall.toFixed(0)} ms, busy ${(wall - idle).toFixed(0)} ms`, 'self ms  function'];
  for (const [k, v] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${v.toFixed(1).padStart(8)}  ${k}`);
  lines.push('total ms  function');
  for (const [k, v] of [...totalBy].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${v.toFixed(1).padStart(8)}  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/support/cpu-profile.ts <file.cpuprofile> [top]');
  console.log(summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 25)));
}
