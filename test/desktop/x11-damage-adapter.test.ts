import { readdirSync, readlinkSync, statSync } from 'node:fs';
import x11 from 'x11';
import { createX11DamageSource } from '../../client/capture/x11-damage-adapter';
import type { DamageSource } from '../../client/capture/damage-source';
import { requireTool } from '../support/require-tool';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

/*
 * The DAMAGE adapter against a real X server: what it reports when something draws, the
 * pixels it reads back, and that it refuses a server without DAMAGE (so the agent polls).
 * The drawing is done by a second X client, as any application would.
 */

interface Painter {
  fill(rect: { x: number; y: number; width: number; height: number }, rgb: number): Promise<void>;
  close(): void;
}

/** A second client that fills rectangles of the root window. */
async function openPainter(display: string): Promise<Painter> {
  const d = await new Promise<any>((resolve, reject) => {
    x11.createClient({ display }, (err, dpy) => (err ? reject(err) : resolve(dpy))).on('error', reject);
  });
  const X = d.client;
  const root = d.screen[0].root;
  const gc = X.AllocID();
  X.CreateGC(gc, root, { foreground: 0 });
  return {
    fill: (rect, rgb) => new Promise<void>((resolve, reject) => {
      X.ChangeGC(gc, { foreground: rgb });
      X.PolyFillRectangle(root, gc, [rect.x, rect.y, rect.width, rect.height]);
      // A round trip: the fill is done when it answers.
      X.GetInputFocus((err: Error | null) => (err ? reject(err) : resolve()));
    }),
    close: () => X.terminate(),
  };
}

/** Resolves at the next damage (or at once if some is pending). */
function nextDamage(source: DamageSource, timeoutMs = 5000): Promise<void> {
  if (source.pending()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error('no damage reported')); }, timeoutMs);
    const off = source.onDamage(() => { clearTimeout(timer); off(); resolve(); });
  });
}

(requireTool('Xvfb', 'xvfb') ? describe : describe.skip)('x11-damage adapter on Xvfb', () => {
  let xvfb: XvfbDisplay;
  let damage: DamageSource;
  let painter: Painter;

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 640, height: 480 });
    damage = await createX11DamageSource(xvfb.display);
    painter = await openPainter(xvfb.display);
  });

  afterAll(async () => {
    painter?.close();
    await damage?.close();
    await xvfb?.stop();
  });

  test('reports the whole screen first, then exactly what a client draws, and reads its pixels back', async () => {
    await nextDamage(damage);
    expect(damage.take()).toEqual([{ x: 0, y: 0, width: 640, height: 480 }]); // a new Damage starts all damaged
    expect(damage.pending()).toBe(false);
    await painter.fill({ x: 100, y: 50, width: 40, height: 30 }, 0xff8800);
    await nextDamage(damage);
    expect(damage.take()).toEqual([{ x: 100, y: 50, width: 40, height: 30 }]);
    const region = await damage.grabRegion({ x: 100, y: 50, width: 40, height: 30 });
    expect([region.width, region.height, region.stride, region.channelOrder]).toEqual([40, 30, 160, 'bgra']);
    expect(Array.from(region.data.subarray(0, 3))).toEqual([0x00, 0x88, 0xff]); // B, G, R
  });

  test('damage drawn after a take comes in the next batch, and nothing else does', async () => {
    while (damage.pending()) damage.take();
    await painter.fill({ x: 0, y: 0, width: 8, height: 8 }, 0x112233);
    await nextDamage(damage);
    expect(damage.take()).toEqual([{ x: 0, y: 0, width: 8, height: 8 }]);
    await painter.fill({ x: 600, y: 400, width: 10, height: 10 }, 0x445566);
    await nextDamage(damage);
    expect(damage.take()).toEqual([{ x: 600, y: 400, width: 10, height: 10 }]);
  });

  test('reads through MIT-SHM where Xvfb offers it, the same pixels as the core GetImage, each read of a batch its own', async () => {
    expect(damage.name).toMatch(/^x11-damage \d+\.\d+ \(MIT-SHM 1\.\d+\)$/);
    // Six stripes read at once, 80 rows each: the segment holds half the screen, so the first
    // three share it, each in its own slice, and the other three are read over the socket.
    // Together they must be the screen, byte for byte, as the core GetImage reads it.
    const colours = [0x10a0f0, 0xf0a010, 0x20f040, 0x808080, 0x0000ff, 0xff0000];
    const stripes = colours.map((_, i) => ({ x: 0, y: i * 80, width: 640, height: 80 }));
    for (const [i, rect] of stripes.entries()) await painter.fill(rect, colours[i]!);
    while (damage.pending()) damage.take();
    const reads = await Promise.all(stripes.map((rect) => damage.grabRegion(rect)));
    // And once none is in flight, the slices start again from the beginning of the segment.
    const again = await damage.grabRegion(stripes[5]!);
    const plain = await createX11DamageSource(xvfb.display, { sharedMemory: false });
    try {
      expect(plain.name).toMatch(/^x11-damage \d+\.\d+$/);
      const truth = Buffer.from((await plain.grabRegion({ x: 0, y: 0, width: 640, height: 480 })).data);
      expect(Buffer.concat(reads.map((r) => Buffer.from(r.data))).equals(truth)).toBe(true);
      expect(Buffer.from(again.data).equals(Buffer.from(reads[5]!.data))).toBe(true);
      expect(Array.from(reads[0]!.data.subarray(0, 3))).toEqual([0xf0, 0xa0, 0x10]); // B, G, R of 0x10a0f0
      // Distinct buffers: the tracked source keeps each one (damage-tracked-source.ts).
      expect(new Set([...reads, again].map((r) => r.data.buffer)).size).toBe(7);
    } finally {
      await plain.close();
    }
  });

  test('reads the whole screen through a segment of its own, the same pixels as the core GetImage; none from a server without MIT-SHM', async () => {
    await painter.fill({ x: 0, y: 0, width: 640, height: 480 }, 0x203040);
    await painter.fill({ x: 630, y: 470, width: 10, height: 10 }, 0xa0b0c0);
    const [screen, again] = await Promise.all([damage.grabScreen!()!, damage.grabScreen!()]);
    // Two at once: the segment holds one screen, so the second is left to the full-frame source.
    expect(again).toBeUndefined();
    expect([screen.width, screen.height, screen.stride, screen.channelOrder]).toEqual([640, 480, 2560, 'bgra']);
    const plain = await createX11DamageSource(xvfb.display, { sharedMemory: false });
    try {
      expect(plain.grabScreen!()).toBeUndefined();
      const truth = Buffer.from((await plain.grabRegion({ x: 0, y: 0, width: 640, height: 480 })).data);
      expect(Buffer.from(screen.data).equals(truth)).toBe(true);
      expect(Array.from(screen.data.subarray(screen.data.length - 4, screen.data.length - 1))).toEqual([0xc0, 0xb0, 0xa0]);
    } finally {
      await plain.close();
    }
    expect(damage.grabScreen!()).toBeDefined(); // free again once the read is done
  });

  test('the shared segments are deleted files only their owner may open: no path to them for another local user', async () => {
    expect(readdirSync('/dev/shm').filter((name) => name.startsWith('compueasys-'))).toEqual([]);
    const ours = readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.startsWith('/dev/shm/compueasys-') ? [{ fd, target }] : [];
      } catch {
        return []; // closed while listing
      }
    });
    expect(ours).toHaveLength(2);
    const segments = ours.map(({ fd, target }) => {
      expect(target).toMatch(/^\/dev\/shm\/compueasys-[0-9a-f]{24} \(deleted\)$/);
      return statSync(`/proc/self/fd/${fd}`);
    });
    for (const segment of segments) {
      expect(segment.mode & 0o777).toBe(0o600);
      // Its memory claimed (no holes): a sparse file on a full /dev/shm would make the X
      // server die of SIGBUS when it writes the pixels.
      expect(segment.blocks * 512).toBeGreaterThanOrEqual(segment.size);
    }
    // Half of 640×480 at 4 bytes a pixel for damaged rectangles, the whole screen for whole reads.
    expect(segments.map((segment) => segment.size).sort((a, b) => a - b)).toEqual([640 * 480 * 2, 640 * 480 * 4]);
  });

  test('a read under way when the source closes rejects, and its descriptor is gone', async () => {
    const source = await createX11DamageSource(xvfb.display, { requestTimeoutMs: 1000 });
    const segments = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith('/dev/shm/compueasys-');
      } catch {
        return false;
      }
    }).length;
    expect(segments()).toBe(4); // two for the shared source of these tests, two for this one
    const read = source.grabRegion({ x: 0, y: 0, width: 320, height: 240 });
    const whole = source.grabScreen!();
    await source.close();
    await expect(read).rejects.toThrow();
    await expect(whole).rejects.toThrow();
    expect(segments()).toBe(2);
  });

  test('reads over the socket from a server without MIT-SHM', async () => {
    const plain = await startXvfb({ width: 320, height: 240, extraArgs: ['-extension', 'MIT-SHM'] });
    const source = await createX11DamageSource(plain.display);
    const paint = await openPainter(plain.display);
    try {
      expect(source.name).toMatch(/^x11-damage \d+\.\d+$/);
      await paint.fill({ x: 10, y: 10, width: 20, height: 20 }, 0x336699);
      const region = await source.grabRegion({ x: 10, y: 10, width: 20, height: 20 });
      expect(Array.from(region.data.subarray(0, 3))).toEqual([0x99, 0x66, 0x33]);
    } finally {
      paint.close();
      await source.close();
      await plain.stop();
    }
  });

  test('refuses a server without DAMAGE, so the agent keeps polling', async () => {
    const plain = await startXvfb({ width: 320, height: 240, extraArgs: ['-extension', 'DAMAGE'] });
    try {
      await expect(createX11DamageSource(plain.display)).rejects.toThrow(/extension not available/);
    } finally {
      await plain.stop();
    }
  });
});
