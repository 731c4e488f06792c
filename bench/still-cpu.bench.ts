import { readFileSync } from 'node:fs';
import { ComposingTechnician, startAgentProcess, startDesktop } from '../test/support/desktop';
import { joinSealed } from '../test/support/sealed-peers';
import { PeerFeature } from '../protocol';
import type { Benchmark, BenchRow } from './support/benchmark';

/**
 * Issue 13: what a still screen costs the agent while a technician watches it (CPU, and RSS at the end). The built
 * agent (dist/client/main.js, as `npm run client` runs it) on a 1920×1080 Xvfb desktop
 * with a Chromium page, paired with a technician that draws and acknowledges; once the
 * stream is quiet, the agent's own CPU time (/proc/<pid>/stat) over `seconds`. Measured
 * with `--changes poll` (full frames compared, the fallback) as the baseline and with the
 * default (X11 DAMAGE), in the same run on the same desktop.
 */

const PAGE = `<!doctype html><html><body style="margin:0;background:#f4f4f4;font:20px sans-serif">
  <div style="position:absolute;left:60px;top:60px;width:600px;height:300px;background:#2d5fa8"></div>
  <p style="position:absolute;left:60px;top:400px">A still desktop: nothing moves.</p></body></html>`;

/** Resident memory of a process now, MiB (/proc/<pid>/status VmRSS). */
function rssMiB(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const bench: Benchmark = {
  name: 'still-cpu',
  description: 'agent CPU and memory on a still 1920x1080 screen while paired: X11 DAMAGE vs polling full frames (--changes poll)',
  async run(log, args) {
    const seconds = Number(args.find((a) => a.startsWith('seconds='))?.slice(8) ?? 10);
    const desktop = await startDesktop(PAGE, { width: 1920, height: 1080 });
    try {
      /** "screen read" lines (debug) in `output`: how often the damage-driven source read the screen. */
      const reads = (output: string): number => output.split('\n').filter((l) => l.includes('"screen read"')).length;
      const measure = async (extra: string[]): Promise<{ percent: number; rssMiB: number; output: string; readsDuring: number }> => {
        // Debug: the damage-driven source logs each read (a few lines a minute on a still screen).
        const agent = startAgentProcess(desktop.display, desktop.relay.wsUrl, ['--log-level', 'debug', ...extra]);
        try {
          const code = await agent.code;
          // As the technician page introduces itself: with the customer's cursor, whose position
          // the agent then polls (4 times a second on a still screen), as it does for the page.
          const { tech } = await joinSealed(desktop.relay.wsUrl, code, 'Bench', [PeerFeature.CURSOR]);
          await tech.until('paired', 10_000);
          const view = new ComposingTechnician(tech);
          await view.settle(1500, 30_000);
          const before = cpuSeconds(agent.pid);
          const readsBefore = reads(agent.output());
          const rects = view.rects.length;
          await new Promise((r) => setTimeout(r, seconds * 1000));
          const used = cpuSeconds(agent.pid) - before;
          // At the end of the window: the memory the agent keeps on a still screen, once its
          // idle capture worker has ended (client/capture/worker-screen-adapter.ts) and the
          // garbage of the last updates had time to go.
          const rss = rssMiB(agent.pid);
          if (view.rects.length !== rects) log(`warning: ${view.rects.length - rects} rectangles came from the still screen`);
          await view.stop();
          tech.close();
          return { percent: (100 * used) / seconds, rssMiB: rss, output: agent.output(), readsDuring: reads(agent.output()) - readsBefore };
        } finally {
          await agent.stop();
        }
      };
      log('polling (--changes poll)…');
      const polling = await measure(['--changes', 'poll']);
      log('damage (default)…');
      const damage = await measure([]);
      const changes = /"changes":"([^"]+)"/.exec(damage.output)?.[1] ?? 'unknown';
      const pollingSays = /"changes":"([^"]+)"/.exec(polling.output)?.[1] ?? 'unknown';
      const row: BenchRow = {
        case: `agent CPU, still 1920x1080 screen, paired, ${seconds} s (changes: ${changes})`,
        value: damage.percent,
        unit: '% of a core',
        baseline: { name: `changes: ${pollingSays}`, value: polling.percent },
        target: { text: '≤ 1', met: damage.percent <= 1 },
        note: `${damage.readsDuring} damage-driven reads in the ${seconds} s`,
      };
      const memory: BenchRow = {
        case: `agent memory (RSS) at the end of the ${seconds} s, still 1920x1080 screen, paired (changes: ${changes})`,
        value: damage.rssMiB,
        unit: 'MiB',
        baseline: { name: `changes: ${pollingSays}`, value: polling.rssMiB },
        // The target is in MB: 150 MB = 143.05 MiB.
        target: { text: '≤ 150 MB', met: damage.rssMiB * 1.048576 <= 150 },
        note: `${(damage.rssMiB * 1.048576).toFixed(1)} MB; ${Math.round(1.5 + seconds)} s or more after the stream went quiet`,
      };
      return [row, memory];
    } finally {
      await desktop.close();
    }
  },
};

export default bench;
