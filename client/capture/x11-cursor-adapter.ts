import { connectX11, type X11Client } from '../support/x11-connect';
import { argbToRgbaCursor } from './cursor-pixels';
import type { CursorShape, CursorSource, PointerPosition } from './cursor-source';

// Minimal typing of the parts of the `x11` package used here (it ships no types).
/** A display that does not answer the connection in this long shows the technician no pointer. */
const CONNECT_TIMEOUT_MS = 2000;

interface CursorImageReply {
  x: number;
  y: number;
  width: number;
  height: number;
  xhot: number;
  yhot: number;
  cursorSerial: number;
  cursorImage: Buffer;
}
interface XFixes {
  CursorNotifyMask: { DisplayCursor: number };
  SelectCursorInput(window: number, eventMask: number): void;
  GetCursorImage(cb: (err: Error | null, reply: CursorImageReply) => void): void;
}
interface PointerReply {
  rootX: number;
  rootY: number;
}
interface XEvent {
  name?: string;
  cursorSerial?: number;
}
/** XInput: the package asks the server for XI2 on load; `xi2` is null on a server without it. */
interface XInput {
  readonly xi2: unknown;
  readonly AllMasterDevices: number;
  XISelectEvents(window: number, masks: { deviceId: number; mask: readonly string[] }): void;
}
interface XClient extends X11Client {
  require(ext: 'fixes', cb: (err: Error | null, fixes: XFixes) => void): void;
  require(ext: 'xinput', cb: (err: Error | null, xinput: XInput) => void): void;
  QueryPointer(window: number, cb: (err: Error | null, reply: PointerReply) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  on(event: 'event', listener: (event: XEvent) => void): void;
  terminate(): void;
}
interface XDisplay {
  client: XClient;
  screen: { root: number }[];
}

/**
 * The pointer on an X11 display, through XFixes over the pure-JavaScript X connection the
 * agent already uses for typing: CursorNotify says when the shape changes (no polling for
 * shapes), GetCursorImage gives its pixels, hotspot and serial, QueryPointer its position
 * (one small round trip). Rejects at creation where XFixes is missing.
 */
export class X11CursorSource implements CursorSource {
  readonly name: string;
  /** Present where the server has XInput 2: raw motion on the root says when the pointer moves. */
  readonly onMove?: (listener: () => void) => () => void;
  private readonly listeners = new Set<(id: number) => void>();
  private readonly moveListeners = new Set<() => void>();
  private closed = false;

  private constructor(private readonly display: XDisplay, private readonly fixes: XFixes, xinput: XInput | undefined) {
    display.client.on('event', (event) => {
      if (event.name === 'XIRawMotion') {
        for (const listener of [...this.moveListeners]) listener();
        return;
      }
      if (event.name !== 'CursorNotify' || event.cursorSerial === undefined) return;
      for (const listener of [...this.listeners]) listener(event.cursorSerial);
    });
    fixes.SelectCursorInput(this.root, fixes.CursorNotifyMask.DisplayCursor);
    this.name = xinput === undefined ? 'x11-xfixes' : 'x11-xfixes + xi2 motion';
    if (xinput !== undefined) {
      // Raw events go to the root only, from every device (a mouse, XTest's injected moves),
      // whichever window the pointer is over; a WarpPointer by a program makes none (seen on Xvfb):
      // the streamer's slow poll sees those.
      xinput.XISelectEvents(this.root, { deviceId: xinput.AllMasterDevices, mask: ['RawMotion'] });
      this.onMove = (listener) => {
        this.moveListeners.add(listener);
        return () => this.moveListeners.delete(listener);
      };
    }
  }

  static async open(displayName: string): Promise<X11CursorSource> {
    const display = await connectX11<XDisplay>(displayName, CONNECT_TIMEOUT_MS);
    const X = display.client;
    X.on('error', () => { /* a failed request surfaces as a rejected call, not a crash */ });
    try {
      const fixes = await new Promise<XFixes>((resolve, reject) => X.require('fixes', (err, ext) => (err ? reject(err) : resolve(ext))));
      // Without XInput 2 the pointer is polled as before.
      const xinput = await new Promise<XInput | undefined>((resolve) => X.require('xinput', (err, ext) => resolve(err || !ext?.xi2 ? undefined : ext)));
      return new X11CursorSource(display, fixes, xinput);
    } catch (e) {
      X.terminate();
      throw e;
    }
  }

  private get root(): number {
    return this.display.screen[0]!.root;
  }

  shape(): Promise<CursorShape> {
    return new Promise((resolve, reject) => {
      this.fixes.GetCursorImage((err, reply) => {
        if (err) return reject(err);
        const image = argbToRgbaCursor({
          width: reply.width, height: reply.height, hotX: reply.xhot, hotY: reply.yhot,
          argb: new Uint8Array(reply.cursorImage.buffer, reply.cursorImage.byteOffset, reply.cursorImage.byteLength),
        });
        resolve({ id: reply.cursorSerial >>> 0, ...image });
      });
    });
  }

  onShapeChange(listener: (id: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  position(): Promise<PointerPosition> {
    return new Promise((resolve, reject) => {
      this.display.client.QueryPointer(this.root, (err, reply) => (err ? reject(err) : resolve({ x: reply.rootX, y: reply.rootY })));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.moveListeners.clear();
    this.display.client.terminate();
  }
}
