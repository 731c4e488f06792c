import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startXvfb } from '../test/support/xvfb';
import type { Benchmark } from './support/benchmark';
import type { CaptureProbeResult } from './support/capture-probe';
import type { CaptureRegionProbeResult } from './support/capture-region-probe';
import { forkTs } from './support/child';
import { renderDesktopPng } from './support/sharp-bench-adapter';

const run = promisify(execFile);

const bench: Benchmark = {
  name: 'capture',
  description: 'ms per 1920x1080 frame on Xvfb: nut-js screen.grab() vs screenshot-desktop (ImageMagick import + PNG decode); '
    + 'ms per 400x300 region: X GetImage on the agent\'s x11 connection vs nut-js grabRegion',
  async run(log) {
    const xvfb = await startXvfb({ width: 1920, height: 1080, depth: 24 });
    const dir = mkdtempSync(join(tmpdir(), 'rs-bench-capture-'));
    try {
      log(`Xvfb on ${xvfb.display}`);
      // A desktop-like picture on the root window: PNG cost (the fallback's) depends on content.
      const png = join(dir, 'desktop.png');
      writeFileSync(png, await renderDesktopPng());
      await run('display', ['-window', 'root', png], { env: xvfb.env() }).catch(() => {
        // `display -window root` sets the background and exits non-zero on some builds; the
        // picture is there either way (the probe reports how much of the screen is lit).
      });
      const child = forkTs<CaptureProbeResult>(join(__dirname, 'support', 'capture-probe.ts'), xvfb.env());
      try {
        const result = await child.next((m): m is CaptureProbeResult => m.kind === 'capture-result', 120_000);
        // The title bar is #2d5fa8: if red and blue came out swapped, channelOrder is wrong.
        const [r, g, b] = result.probeRgb;
        const colour = r === 0x2d && g === 0x5f && b === 0xa8 ? 'channel order checked' : `WRONG COLOUR rgb(${r},${g},${b}), want rgb(45,95,168)`;
        const regionChild = forkTs<CaptureRegionProbeResult>(join(__dirname, 'support', 'capture-region-probe.ts'), xvfb.env());
        let region: CaptureRegionProbeResult;
        try {
          region = await regionChild.next((m): m is CaptureRegionProbeResult => m.kind === 'capture-region-result', 120_000);
        } finally {
          await regionChild.stop();
        }
        const { width: rw, height: rh } = region.region;
        return [
          {
            case: `X GetImage ${rw}x${rh} of ${result.width}x${result.height} (x11 package, main thread)`,
            value: region.getImageMs,
            unit: 'ms/region',
            baseline: { name: 'nut-js screen.grabRegion() (native call alone; in the worker it adds a message and a copy)', value: region.nutRegionMs },
            note: `GetImage main-thread CPU ${region.getImageCpuMs.toFixed(2)} ms/region; ${region.samePixels ? 'all three reads (nut-js, core, MIT-SHM) read the same pixels' : 'PIXELS DIFFER between the reads'}`,
          },
          {
            case: `X MIT-SHM GetImage ${rw}x${rh} of ${result.width}x${result.height} (x11 package, main thread; what the agent reads with: ${region.shmSourceName})`,
            value: region.shmGetImageMs,
            unit: 'ms/region',
            baseline: { name: 'core X GetImage (pixels over the socket)', value: region.getImageMs },
            note: `main-thread CPU ${region.shmGetImageCpuMs.toFixed(2)} against ${region.getImageCpuMs.toFixed(2)} ms/region`,
          },
          {
            case: `nut-js screen.grab() ${result.width}x${result.height} (${result.channelOrder})`,
            value: result.nutMs,
            unit: 'ms/frame',
            baseline: { name: result.screenshotName, value: result.screenshotMs },
            note: `${Math.round(result.litShare * 100)}% of the screen non-black; ${colour}`,
          },
        ];
      } finally {
        await child.stop();
      }
    } finally {
      await xvfb.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
