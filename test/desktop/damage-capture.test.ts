import { readFileSync } from 'node:fs';
import { FrameFlag } from '../../protocol';
import {
  captureWithImport, compareRgb, ComposingTechnician, describeWithDesktop, startAgentProcess, startDesktop,
  type AgentProcess, type Desktop,
} from '../support/desktop';
import { joinSealed } from '../support/sealed-peers';
import type { WsTestPeer } from '../support/ws-peer';

/*
 * Issue 13 (2): on X11 the real agent reads only what DAMAGE reports changed. The agent
 * runs at log level debug, where each read is logged with its rectangles ("screen read",
 * `grabbed`: 'full' or a list of rectangles; never pixels): the log is the instrument.
 */

const WIDTH = 1280;
const HEIGHT = 720;
const SPOT = { x: 900, y: 60, width: 40, height: 40 };

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
  html,body{margin:0;width:100%;height:100%;overflow:hidden;background:#ffffff;font:16px "DejaVu Sans",sans-serif}
  * { caret-color: transparent; }
  #red{position:absolute;left:40px;top:40px;width:200px;height:120px;background:#d02020}
  #blue{position:absolute;left:520px;top:40px;width:200px;height:120px;background:#2050d0}
  #spot{position:absolute;left:${SPOT.x}px;top:${SPOT.y}px;width:${SPOT.width}px;height:${SPOT.height}px;background:#000000}
  #words{position:absolute;left:40px;top:220px;width:1100px;font-size:22px}
</style></head><body>
  <div id="red"></div><div id="blue"></div><div id="spot"></div>
  <div id="words">Damage-driven capture: only what changed is read.</div>
</body></html>`;

type Grabbed = 'full' | { x: number; y: number; width: number; height: number }[];

/** Every read the agent logged, in order. */
function readsIn(output: string): Grabbed[] {
  return readLogIn(output).map((read) => read.grabbed);
}

/** Every read the agent logged with, for whole-screen reads, why it read it all. */
function readLogIn(output: string): { grabbed: Grabbed; why?: string }[] {
  const reads: { grabbed: Grabbed; why?: string }[] = [];
  // Whole lines only: the output may end in the middle of one.
  for (const line of output.split('\n').slice(0, -1)) {
    if (!line.includes('"screen read"')) continue;
    reads.push(JSON.parse(line) as { grabbed: Grabbed; why?: string });
  }
  return reads;
}

/**
 * Resolves once the agent logged no read for `quietMs` (each read restarts the quiet time:
 * the time is the claim "still", not a wait for something); fails after `timeoutMs`.
 */
function untilNoReadFor(agent: AgentProcess, quietMs: number, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let reads = readsIn(agent.output()).length;
    let quiet = setTimeout(() => finish(), quietMs);
    const finish = (error?: Error): void => {
      clearTimeout(quiet);
      clearTimeout(deadline);
      stopListening();
      if (error) reject(error);
      else resolve();
    };
    // Counted on the whole output: a chunk may end in the middle of a line.
    const stopListening = agent.onOutput(() => {
      const now = readsIn(agent.output()).length;
      if (now === reads) return;
      reads = now;
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(), quietMs);
    });
    const deadline = setTimeout(() => finish(new Error(`the agent kept reading the screen for ${timeoutMs} ms`)), timeoutMs);
  });
}

/** User + system CPU of a process so far, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

describeWithDesktop('damage-driven capture with the real agent on Xvfb', () => {
  let desktop: Desktop;
  let agent: AgentProcess;
  let tech: WsTestPeer;
  let view: ComposingTechnician;

  beforeAll(async () => {
    desktop = await startDesktop(PAGE, { width: WIDTH, height: HEIGHT });
    agent = startAgentProcess(desktop.display, desktop.relay.wsUrl, ['--log-level', 'debug']);
    const code = await agent.code;
    ({ tech } = await joinSealed(desktop.relay.wsUrl, code, 'Damage test'));
    await tech.until('paired', 10_000);
    await tech.until('screen-info', 10_000);
    view = new ComposingTechnician(tech);
    await view.settle();
  }, 90_000);

  afterAll(async () => {
    await view?.stop();
    tech?.close();
    await agent?.stop();
    await desktop?.close();
  });

  test('the agent says it watches the screen through DAMAGE', () => {
    expect(agent.output()).toMatch(/"changes":"x11-damage \d+\.\d+ \(MIT-SHM 1\.\d+\)"[^\n]*"agent ready"/);
  });

  test('the agent says it injects input through XTest on its own X connection (nut-js is not loaded for input on X11)', () => {
    expect(agent.output()).toMatch(/"input":"x11-xtest"[^\n]*"agent ready"/);
  });

  test('a small change is read as a small rectangle only, and the composed image still equals the screen', async () => {
    await view.settle();
    const readsBefore = readsIn(agent.output()).length;
    const rectsBefore = view.rects.length;
    await desktop.window.page.evaluate(() => { document.getElementById('spot')!.style.background = '#ff8800'; });
    await view.rectsBeyond(rectsBefore);
    await view.settle();

    const log = readLogIn(agent.output()).slice(readsBefore);
    const reads = log.map((read) => read.grabbed);
    expect(reads.length).toBeGreaterThan(0);
    // No whole-screen read of the agent's choosing for a 40×40 change. Chromium may repaint
    // its whole window now and then, on its own (seen once in CI: the spot's 40×40 read, then
    // a whole-screen one): the server reports that as damage over half the screen or more,
    // which the agent reads whole and logs as 'large-damage'. That read is Chromium's doing;
    // any other reason (first, requested, polling, lost-track, read-failed) is ours.
    expect(log.filter((read) => read.grabbed === 'full').map((read) => read.why ?? 'none')
      .filter((why) => why !== 'large-damage')).toEqual([]);
    // The read that took the spot was the spot's size, not the screen's.
    const covers = (r: { x: number; y: number; width: number; height: number }): boolean => r.x <= SPOT.x && r.y <= SPOT.y
      && r.x + r.width >= SPOT.x + SPOT.width && r.y + r.height >= SPOT.y + SPOT.height;
    const spotRead = reads.find((r) => r !== 'full' && r.some(covers));
    expect(spotRead).toBeDefined();
    const area = (spotRead as Exclude<Grabbed, 'full'>).reduce((sum, r) => sum + r.width * r.height, 0);
    expect(area).toBeLessThan((WIDTH * HEIGHT) / 20); // a sliver of the 921,600-pixel screen

    const shot = await captureWithImport(desktop.display);
    expect([view.width, view.height]).toEqual([shot.width, shot.height]);
    const { mean, badShare } = compareRgb(view.pixels, shot.pixels);
    expect(mean).toBeLessThan(4);
    expect(badShare).toBeLessThan(0.01);
    const at = (x: number, y: number): number[] => Array.from(view.pixels.subarray((y * WIDTH + x) * 3, (y * WIDTH + x) * 3 + 3));
    at(SPOT.x + 20, SPOT.y + 20).forEach((v, i) => expect(Math.abs(v - [0xff, 0x88, 0x00][i]!)).toBeLessThan(16));
  });

  test('a refresh asked by the technician reads the whole screen and sends it as a full frame', async () => {
    await view.settle();
    const readsBefore = readsIn(agent.output()).length;
    const rectsBefore = view.rects.length;
    tech.sendJson({ type: 'refresh', reason: 'requested' });
    await view.rectsBeyond(rectsBefore);
    await view.settle();
    const sent = view.rects.slice(rectsBefore);
    expect(sent.every((r) => (r.header.flags & FrameFlag.FULL) !== 0)).toBe(true);
    expect(sent.reduce((sum, r) => sum + r.header.width * r.header.height, 0)).toBe(WIDTH * HEIGHT);
    expect(readLogIn(agent.output()).slice(readsBefore)).toContainEqual(expect.objectContaining({ grabbed: 'full', why: 'requested' }));
    const shot = await captureWithImport(desktop.display);
    const { mean, badShare } = compareRgb(view.pixels, shot.pixels);
    expect(mean).toBeLessThan(4);
    expect(badShare).toBeLessThan(0.01);
  });

  test('a still screen while paired sends nothing and costs almost no CPU', async () => {
    await view.settle();
    // Chromium may repaint its whole window some time after a change, on its own (seen: one
    // 1280×720 damage, read and found unchanged, so nothing was sent): wait until the X
    // server has reported nothing for a second, which is what a still screen is.
    await untilNoReadFor(agent, 1000);
    const ticksBefore = cpuTicks(agent.pid);
    // The claim is about these seconds themselves: no rectangle may come in them.
    await view.staysQuietFor(4000);
    // Polling full frames cost about 20 % of a core at 1080p on this machine (still-cpu
    // bench; with --changes poll this test measured 0.43 s over these 4 s); waiting for damage, the agent only answers
    // heartbeats (0 ticks in the runs seen), plus a read if Chromium repaints on its own.
    // A slower machine would make polling cost more, not this.
    const cpuSeconds = (cpuTicks(agent.pid) - ticksBefore) / 100;
    expect(cpuSeconds).toBeLessThan(0.2); // under 5 % of a core over the 4 s
  });
});
