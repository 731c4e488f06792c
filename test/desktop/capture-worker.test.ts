import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createWorkerScreenSource } from '../../client/capture/worker-screen-adapter';
import { CLOSE_ROUNDS, PROBE_COLOURS } from '../support/capture-worker-probe';
import { describeWithDesktop } from '../support/desktop';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

const WORKER = join(__dirname, '../../dist/client/capture-worker.js');
const PROBE = join(__dirname, '../support/capture-worker-probe.ts');

describeWithDesktop('screen capture in a worker thread (the built dist/client/capture-worker.js)', () => {
  let display: XvfbDisplay;
  beforeAll(async () => {
    display = await startXvfb({ width: 800, height: 600 });
  });
  afterAll(async () => {
    await display?.stop();
  });

  test('each grab shows the display as it is at that moment, grabs asked at once are answered in the order asked, and close stops the worker, also with grabs running', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', PROBE, WORKER], { env: display.env(), encoding: 'utf8', timeout: 30_000 });
    type Frame = { width: number; height: number; stride: number; bytes: number; centre: number[] };
    const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as
      { name?: string; oneByOne?: Frame[]; together?: Frame[]; answered?: number[]; closedMidGrab?: { rounds: number; answered: number; refused: number }; error?: string };
    expect(result.error).toBeUndefined();
    // The probe exits only once close() has ended the worker thread (else spawnSync times out).
    expect(run.status).toBe(0);
    expect(result.name).toBe('nut-js (worker thread)');
    for (const f of [...result.oneByOne!, ...result.together!]) {
      expect([f.width, f.height]).toEqual([800, 600]);
      expect(f.bytes).toBeGreaterThanOrEqual(f.stride * 599 + 800 * 4);
    }
    // The screen was painted a new colour before each grab: no frame is an older picture.
    expect(result.oneByOne!.map((f) => f.centre)).toEqual(PROBE_COLOURS.map((c) => [...c.rgb]));
    expect(result.answered).toEqual([0, 1, 2]);
    // Closed with grabs running, ten times over: the process still exits 0 (status above), and every grab got an answer.
    expect(result.closedMidGrab!.rounds).toBe(CLOSE_ROUNDS);
    expect(result.closedMidGrab!.answered + result.closedMidGrab!.refused).toBe(2 * CLOSE_ROUNDS);
  });

  test('without the built worker script it refuses, so the chooser falls back to the main thread', async () => {
    await expect(createWorkerScreenSource('/nonexistent/capture-worker.js')).rejects.toThrow(/not built/);
  });
});
