/**
 * Child process of the capture benchmark's region rows: reads one 400×300 region of
 * $DISPLAY both ways the damage-driven capture could (issue 13) and reports ms per read.
 * nut-js `grabRegion` is timed on this thread, the native call alone: in the agent it
 * would run in the capture worker and add a message and a copy, so its figure is a lower
 * bound. X `GetImage` is timed as the agent does it, on the main thread over the `x11`
 * package's connection, both ways the agent can read: the core request (pixels over the
 * socket) and MIT-SHM's (pixels through a shared file, what the agent uses where it can);
 * the main-thread CPU of each is reported too (the grab runs there).
 */
import { createX11DamageSource } from '../../client/capture/x11-damage-adapter';
import { median, timeRuns } from './benchmark';

export interface CaptureRegionProbeResult {
  readonly kind: 'capture-region-result';
  readonly region: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly nutRegionMs: number;
  readonly getImageMs: number;
  /** CPU of this process per GetImage (user + system), ms. */
  readonly getImageCpuMs: number;
  /** The same through MIT-SHM, and the name the source gave (`x11-damage 1.1 (MIT-SHM 1.2)`). */
  readonly shmGetImageMs: number;
  readonly shmGetImageCpuMs: number;
  readonly shmSourceName: string;
  /** The three reads agree pixel for pixel (same screen, same region). */
  readonly samePixels: boolean;
}

const RUNS = 50;

async function main(): Promise<void> {
  const region = { x: 700, y: 40, width: 400, height: 300 };
  const nut = await import('@nut-tree-fork/nut-js');
  const nutRegion = new nut.Region(region.x, region.y, region.width, region.height);
  const damage = await createX11DamageSource(process.env.DISPLAY ?? '', { sharedMemory: false });
  const shared = await createX11DamageSource(process.env.DISPLAY ?? '');
  try {
    const a = await nut.screen.grabRegion(nutRegion);
    const b = await damage.grabRegion(region);
    const c = await shared.grabRegion(region);
    let same = a.width === b.width && a.height === b.height && Buffer.from(b.data).equals(Buffer.from(c.data));
    for (let y = 0; same && y < region.height; y++) {
      for (let x = 0; same && x < region.width; x++) {
        const i = y * a.byteWidth + x * 4;
        const j = y * b.stride + x * 4;
        // nut-js may hand RGB or BGR order; compare the colour, not the byte layout.
        const rgbA = a.colorMode === 1 ? [a.data[i], a.data[i + 1], a.data[i + 2]] : [a.data[i + 2], a.data[i + 1], a.data[i]];
        const rgbB = [b.data[j + 2], b.data[j + 1], b.data[j]];
        same = rgbA.every((v, k) => v === rgbB[k]);
      }
    }
    const nutRegionMs = median(await timeRuns(RUNS, () => nut.screen.grabRegion(nutRegion)));
    const cpuMsPerRead = async (source: typeof damage): Promise<number> => {
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < RUNS; i++) await source.grabRegion(region);
      const cpu = process.cpuUsage(cpuBefore);
      return (cpu.user + cpu.system) / 1000 / RUNS;
    };
    // One after the other, RUNS reads each; the bench prints their ratio, so run it twice on a busy machine.
    const getImageMs = median(await timeRuns(RUNS, () => damage.grabRegion(region)));
    const shmGetImageMs = median(await timeRuns(RUNS, () => shared.grabRegion(region)));
    const getImageCpuMs = await cpuMsPerRead(damage);
    const shmGetImageCpuMs = await cpuMsPerRead(shared);
    const result: CaptureRegionProbeResult = {
      kind: 'capture-region-result', region, nutRegionMs, getImageMs, getImageCpuMs,
      shmGetImageMs, shmGetImageCpuMs, shmSourceName: shared.name, samePixels: same,
    };
    process.send?.(result);
  } finally {
    await shared.close();
    await damage.close();
    process.disconnect?.();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
