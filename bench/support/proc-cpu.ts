import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc times (`getconf CLK_TCK`, 100 on every common kernel). */
const TICKS_PER_SECOND = 100;

function readStat(pid: number): { ppid: number; cpuTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * CPU time used so far, ms, by the live descendants of `rootPid` whose command line contains
 * `marker` (e.g. the technician Chromium's profile prefix) and all processes under them
 * (Chromium's zygotes and renderers). Only processes of this bench are counted, never a
 * neighbour's Chromium with the same flags. Processes that exited are missed.
 */
export function descendantsCpuMs(rootPid: number, marker: string): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    parents.set(pid, stat.ppid);
    ticks.set(pid, stat.cpuTicks);
  }
  const ancestors = function* (pid: number): Generator<number> {
    for (let p = parents.get(pid), hops = 0; p !== undefined && p > 1 && hops < 30; p = parents.get(p), hops++) yield p;
  };
  const ours = (pid: number): boolean => [...ancestors(pid)].includes(rootPid);
  const marked = new Set([...ticks.keys()].filter((pid) => ours(pid) && cmdline(pid).includes(marker)));
  let total = 0;
  // The marked processes (the browser) and everything under them (zygotes, renderers, GPU/utility processes).
  for (const [pid, t] of ticks) if (marked.has(pid) || [...ancestors(pid)].some((a) => marked.has(a))) total += t;
  return (total * 1000) / TICKS_PER_SECOND;
}

/** Whole-machine CPU counters from /proc/stat: busy and total jiffies over all cores. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = line.reduce((a, b) => a + b, 0);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  return { busy: total - idle, total };
}

/** Resident memory of process `pid` now (VmRSS in /proc/<pid>/status), bytes; NaN if it is gone. */
export function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? Number.NaN : Number(kib) * 1024;
  } catch {
    return Number.NaN;
  }
}
