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

  test('refuses a server without DAMAGE, so the agent keeps polling', async () => {
    const plain = await startXvfb({ width: 320, height: 240, extraArgs: ['-extension', 'DAMAGE'] });
    try {
      await expect(createX11DamageSource(plain.display)).rejects.toThrow(/extension not available/);
    } finally {
      await plain.stop();
    }
  });
});
