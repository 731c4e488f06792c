import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt } from '../browser/panel-driver';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import { connectPageThroughWindow } from '../support/customer-window';
import { customerDesktopPage, describeWithDesktop, startDesktop, startWindowProcess, type Desktop } from '../support/desktop';
import { requireTool } from '../support/require-tool';
import { stopChild } from '../support/xvfb';

const WIDTH = 1280;
const HEIGHT = 720;
const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0xc0, 0x30, 0x30] as const };
/** How much the test records: "a few seconds", read from the page's own clock (no sleep). */
const RECORD_MS = 3000;

const run = promisify(execFile);

interface Probe {
  streams: { codec_type: string; codec_name: string; width: number; height: number }[];
  format: { duration?: string; format_name: string };
}

/** Where the recording may be replayed: ffprobe reads it as a player would. */
const hasFfprobe = requireTool('ffprobe', 'ffmpeg');
const describeRecording = hasFfprobe ? describeWithDesktop : describe.skip;

/**
 * Issue 15 (4): the technician records the session from the page; the file is a WebM any
 * player reads, the remote screen's size, as long as the recording; the customer's window
 * says "Esta sesión se está grabando" the whole time, and stops saying it after.
 */
describeRecording('recording the session on the technician page', () => {
  let desktop: Desktop;
  let relay: Relay;
  let agent: ReturnType<typeof startWindowProcess>;
  let browsers: TestBrowser;
  let panel: Page;
  let customer: Page;
  const downloads = mkdtempSync(join(tmpdir(), 'ce-recording-'));

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(customerDesktopPage(BLOCK), { width: WIDTH, height: HEIGHT });
    ({ relay } = desktop);
    agent = startWindowProcess(desktop.display, relay.wsUrl);
    browsers = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1400, height: 900 } });
    panel = await browsers.newPage();
    customer = await browsers.newPage();
    await customer.goto(await agent.url);
  }, 90_000);

  afterAll(async () => {
    await browsers?.close();
    if (agent) await stopChild(agent.child);
    await desktop?.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  test('a few seconds recorded are a WebM of the remote screen\'s size and length, and the customer is told for exactly that long', async () => {
    await connectPageThroughWindow(customer, panel, relay.url);
    await panel.waitForFunction(([w, h]) => {
      const c = document.getElementById('remote-screen') as HTMLCanvasElement;
      return c.width === w && c.height === h;
    }, [WIDTH, HEIGHT] as const, { timeout: 20_000 });
    await panel.waitForSelector('#record-button:not([hidden])', { timeout: 20_000 });
    expect(await customer.isHidden('#sharing-recording')).toBe(true);

    await panel.click('#record-button');
    await customer.waitForSelector('#sharing-recording:not([hidden])', { timeout: 20_000 });
    expect(await customer.textContent('#sharing-recording')).toContain('Esta sesión se está grabando');
    await panel.waitForFunction((ms) => Number(document.getElementById('record-button')!.dataset.recordingMs ?? 0) >= ms, RECORD_MS, { timeout: 30_000 });
    // The notice stays for the whole recording.
    expect(await customer.isVisible('#sharing-recording')).toBe(true);

    const download = panel.waitForEvent('download', { timeout: 30_000 });
    await panel.click('#record-button');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^CompuEasys-grabacion-\d{4}-\d{2}-\d{2}-\d{4}\.webm$/);
    const path = join(downloads, file.suggestedFilename());
    await file.saveAs(path);
    await customer.waitForSelector('#sharing-recording', { state: 'hidden', timeout: 20_000 });
    const recordedMs = Number(await panel.getAttribute('#record-button', 'data-last-recording-ms'));
    expect(recordedMs).toBeGreaterThanOrEqual(RECORD_MS);

    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height:format=duration,format_name', '-of', 'json', path], { encoding: 'utf8' });
    const probe = JSON.parse(stdout) as Probe;
    expect(probe.format.format_name).toContain('webm');
    const video = probe.streams.filter((s) => s.codec_type === 'video');
    expect(video).toHaveLength(1);
    expect(video[0]).toMatchObject({ width: WIDTH, height: HEIGHT });
    expect(['vp8', 'vp9']).toContain(video[0]!.codec_name);
    expect(Math.abs(Number(probe.format.duration) * 1000 - recordedMs)).toBeLessThan(1000);

    // What it shows is the customer's screen: the block, where it is on that screen (first frame).
    const { stdout: frame } = await run('ffmpeg', ['-v', 'error', '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: WIDTH * HEIGHT * 3 + 1024 });
    expect(frame.length).toBe(WIDTH * HEIGHT * 3);
    const at = ((BLOCK.y + BLOCK.height / 2) * WIDTH + BLOCK.x + BLOCK.width / 2) * 3;
    for (let c = 0; c < 3; c++) expect(Math.abs(frame[at + c]! - BLOCK.rgb[c]!)).toBeLessThan(40);
  }, 120_000);
});
