/**
 * Child process for test/desktop/capture-worker.test.ts: libnut reads DISPLAY from the
 * real process environment (getenv), which a jest test cannot set for its own process,
 * so the worker is exercised from a process started with DISPLAY set.
 *
 * It grabs one frame after another with the screen painted a new colour before each
 * (xsetroot returns once the X server has done it), then asks for three at once, and
 * closes the source. Prints one JSON line: what it saw, or the error. The process ends
 * only if close() really stopped the worker thread.
 */
import { spawnSync } from 'node:child_process';
import type { RawFrame } from '../../client/capture/raw-frame';
import { createWorkerScreenSource } from '../../client/capture/worker-screen-adapter';

/** The colours painted before each sequential grab, as xsetroot takes them and as [r, g, b]. */
export const PROBE_COLOURS: readonly { readonly name: string; readonly rgb: readonly [number, number, number] }[] = [
  { name: '#ff0000', rgb: [255, 0, 0] },
  { name: '#00ff00', rgb: [0, 255, 0] },
  { name: '#0000ff', rgb: [0, 0, 255] },
];

/** Sources opened and closed with grabs in flight. */
export const CLOSE_ROUNDS = 10;

function describeFrame(f: RawFrame): { width: number; height: number; stride: number; bytes: number; centre: number[] } {
  const i = Math.floor(f.height / 2) * f.stride + Math.floor(f.width / 2) * 4;
  const d = f.data;
  const centre = f.channelOrder === 'bgra' ? [d[i + 2]!, d[i + 1]!, d[i]!] : [d[i]!, d[i + 1]!, d[i + 2]!];
  return { width: f.width, height: f.height, stride: f.stride, bytes: f.data.byteLength, centre };
}

async function main(): Promise<void> {
  const source = await createWorkerScreenSource(process.argv[2]);
  const oneByOne = [];
  for (const colour of PROBE_COLOURS) {
    const painted = spawnSync('xsetroot', ['-solid', colour.name], { encoding: 'utf8' });
    if (painted.status !== 0) throw new Error(`xsetroot failed: ${painted.stderr}`);
    oneByOne.push(describeFrame(await source.grab()));
  }
  const answered: number[] = [];
  const together = await Promise.all([0, 1, 2].map((i) => source.grab().then((frame) => {
    answered.push(i);
    return describeFrame(frame);
  })));
  await source.close?.();
  // Closing while grabs run (a session ending mid-grab): the worker must end between grabs,
  // never under a native grab (that aborted the process with 134). Each grab is answered
  // or refused; none hangs.
  const closedMidGrab = { rounds: 0, answered: 0, refused: 0 };
  for (let round = 0; round < CLOSE_ROUNDS; round++) {
    const s = await createWorkerScreenSource(process.argv[2]);
    const inFlight = [s.grab(), s.grab()].map((p) => p.then(() => { closedMidGrab.answered++; }, () => { closedMidGrab.refused++; }));
    await s.close?.();
    await Promise.all(inFlight);
    closedMidGrab.rounds++;
  }
  process.stdout.write(`${JSON.stringify({ name: source.name, oneByOne, together, answered, closedMidGrab })}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: String(err) })}\n`);
    process.exitCode = 1;
  });
}
