import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createWorkerScreenSource } from '../../client/capture/worker-screen-adapter';
import { hasDesktopTools } from '../support/desktop';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

const WORKER = join(__dirname, '../../dist/client/capture-worker.js');
const PROBE = join(__dirname, '../support/capture-worker-probe.ts');
const describeDesktop = hasDesktopTools() ? describe : describe.skip;

describeDesktop('screen capture in a worker thread (the built dist/client/capture-worker.js)', () => {
  let display: XvfbDisplay;
  beforeAll(async () => {
    display = await startXvfb({ width: 800, height: 600 });
  });
  afterAll(async () => {
    await display?.stop();
  });

  test('grabs whole frames of the display, in order, and stops cleanly', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', PROBE, WORKER], { env: display.env(), encoding: 'utf8', timeout: 30_000 });
    const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { name?: string; frames?: { width: number; height: number; stride: number; bytes: number }[]; error?: string };
    expect(result.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(result.name).toBe('nut-js (worker thread)');
    expect(result.frames).toHaveLength(3);
    for (const f of result.frames!) {
      expect([f.width, f.height]).toEqual([800, 600]);
      expect(f.bytes).toBeGreaterThanOrEqual(f.stride * 599 + 800 * 4);
    }
  });

  test('without the built worker script it refuses, so the chooser falls back to the main thread', async () => {
    await expect(createWorkerScreenSource('/nonexistent/capture-worker.js')).rejects.toThrow(/not built/);
  });
});
