import { X11CursorSource } from '../../client/capture/x11-cursor-adapter';
import { openTestX, type TestX } from '../support/x11-windows';
import { describeWithDesktop } from '../support/desktop';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

/*
 * The pointer adapter against a real X server: a move made through a device (XTest, as the
 * agent injects the technician's moves and as a mouse's reach the server) is reported at once
 * (XInput 2 raw motion), so the cursor streamer can leave a still pointer alone.
 */

/** XTest's MotionNotify, absolute (detail 0). */
const MOTION_NOTIFY = 6;

/** Moves the pointer with XTest from a second client, as a device would. */
async function moveWithXTest(x: TestX, to: { x: number; y: number }): Promise<void> {
  const xtest = await new Promise<any>((resolve, reject) => x.client.require('xtest', (err: Error | null, ext: unknown) => (err ? reject(err) : resolve(ext))));
  xtest.FakeInput(MOTION_NOTIFY, 0, 0, x.root, to.x, to.y);
  await x.client.sync();
}

describeWithDesktop('the X11 pointer source (XFixes + XInput 2) on Xvfb', () => {
  let display: XvfbDisplay;
  beforeAll(async () => {
    display = await startXvfb({ width: 640, height: 480 });
  });
  afterAll(async () => {
    await display?.stop();
  });

  test('says the pointer moved when a device moves it, and reads the new position', async () => {
    const source = await X11CursorSource.open(display.display);
    const x = await openTestX(display.display);
    try {
      expect(source.name).toBe('x11-xfixes + xi2 motion');
      expect(source.onMove).toBeDefined();
      let stop: (() => void) | undefined;
      const moved = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no move reported in 5 s')), 5000);
        stop = source.onMove!(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await moveWithXTest(x, { x: 321, y: 123 });
      await moved;
      stop?.();
      expect(await source.position()).toEqual({ x: 321, y: 123 });
    } finally {
      await x.close();
      await source.close();
    }
  });
});
