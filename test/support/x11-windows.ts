import { connectX11 } from '../../client/support/x11-connect';

/** An X event as the `x11` package hands it over (only what the tests read). */
export interface XEvent {
  readonly name: string;
  readonly wid?: number;
  readonly atom?: number;
  readonly message_type?: number;
  readonly data?: number[];
}

/** What a test does on an X display through the `x11` package: make windows, read and write their properties. */
export interface TestX {
  readonly root: number;
  readonly client: any;
  atom(name: string): Promise<number>;
  /** A mapped window below `parent` (the root by default), with the given properties. */
  window(options?: { parent?: number; netWmName?: string; wmName?: string; wmHints?: number[] }): Promise<number>;
  /** A format-32 property's values; `undefined` when the window has none. */
  card32s(window: number, property: number, type: number): Promise<number[] | undefined>;
  setCard32s(window: number, property: number, type: number, values: number[]): Promise<void>;
  deleteProperty(window: number, property: number): Promise<void>;
  /** Selects events on a window (the root, to stand in for a window manager). */
  selectEvents(window: number, mask: number): Promise<void>;
  /** Calls `listener` with every event the server sends this client. */
  onEvent(listener: (event: XEvent) => void): void;
  /**
   * Calls `listener` each time the selection named `selection` (e.g. CLIPBOARD) gets an
   * owner: XFixes SelectionNotify, the event a clipboard manager waits for.
   */
  watchSelectionOwner(selection: string, listener: () => void): Promise<void>;
  /**
   * Resolves with a window's format-32 property once `accept` takes it: read now, then
   * again at each change of that property (PropertyNotify), never by polling on a timer.
   * Rejects after `timeoutMs`.
   */
  untilProperty(window: number, property: number, type: number, accept: (values: number[] | undefined) => boolean, timeoutMs: number): Promise<number[] | undefined>;
  close(): Promise<void>;
}

const STRING = 31;
const WM_HINTS = 35;
const WM_NAME = 39;
/** PropertyChangeMask */
const PROPERTY_CHANGE = 0x400000;

export async function openTestX(display: string): Promise<TestX> {
  // As the agent connects: its atom cache starts from this server's predefined atoms.
  const d = await connectX11<any>(display, 10_000);
  const X = d.client;
  const root: number = d.screen[0].root;
  const call = <T>(start: (cb: (err: Error | null, value: T) => boolean) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => start((err, value) => { if (err) reject(err); else resolve(value); return true; }));
  const sync = (): Promise<void> => X.sync();
  const atom = (name: string): Promise<number> => call((cb) => X.InternAtom(false, name, cb));
  const card32s = async (window: number, property: number, type: number): Promise<number[] | undefined> => {
    const prop = await call<{ type: number; data: Buffer }>((cb) => X.GetProperty(0, window, property, type, 0, 64, cb));
    if (prop.type === 0) return undefined;
    return Array.from({ length: prop.data.length / 4 }, (_, i) => prop.data.readUInt32LE(i * 4));
  };
  return {
    root,
    client: X,
    atom,
    async window(options = {}) {
      const id: number = X.AllocID();
      X.CreateWindow(id, options.parent ?? root, 10, 10, 200, 100, 0, 0, 0, 0, {});
      if (options.netWmName !== undefined) X.ChangeProperty(0, id, await atom('_NET_WM_NAME'), await atom('UTF8_STRING'), 8, Buffer.from(options.netWmName, 'utf8'));
      if (options.wmName !== undefined) X.ChangeProperty(0, id, WM_NAME, STRING, 8, Buffer.from(options.wmName, 'latin1'));
      if (options.wmHints !== undefined) X.ChangeProperty(0, id, WM_HINTS, WM_HINTS, 32, options.wmHints);
      X.MapWindow(id);
      await sync();
      return id;
    },
    card32s,
    async setCard32s(window, property, type, values) {
      X.ChangeProperty(0, window, property, type, 32, values);
      await sync();
    },
    async deleteProperty(window, property) {
      X.DeleteProperty(window, property);
      await sync();
    },
    async selectEvents(window, mask) {
      X.ChangeWindowAttributes(window, { eventMask: mask });
      await sync();
    },
    onEvent(listener) {
      X.on('event', listener);
    },
    async watchSelectionOwner(selection, listener) {
      const fixes = await new Promise<any>((resolve, reject) => X.require('fixes', (err: Error | null, ext: any) => (err ? reject(err) : resolve(ext))));
      const atomOf = await atom(selection);
      X.on('event', (e: XEvent & { selection?: number }) => { if (e.name === 'SelectionNotify' && e.selection === atomOf) listener(); });
      fixes.SelectSelectionInput(root, atomOf, fixes.SelectionEventMask.SetSelectionOwner);
      await sync();
    },
    async untilProperty(window, property, type, accept, timeoutMs) {
      let changed: () => void = () => undefined;
      const onEvent = (e: XEvent): void => { if (e.name === 'PropertyNotify' && e.wid === window && e.atom === property) changed(); };
      X.on('event', onEvent);
      X.ChangeWindowAttributes(window, { eventMask: PROPERTY_CHANGE });
      const deadline = Date.now() + timeoutMs;
      try {
        for (;;) {
          // Listening before reading: a change between the two is not missed.
          const next = new Promise<void>((resolve) => { changed = resolve; });
          const values = await card32s(window, property, type);
          if (accept(values)) return values;
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`property ${property} of window ${window} still ${JSON.stringify(values)} after ${timeoutMs} ms`);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([next, new Promise<void>((resolve) => { timer = setTimeout(resolve, left); })]).finally(() => clearTimeout(timer));
        }
      } finally {
        X.removeListener('event', onEvent);
      }
    },
    close: () => new Promise<void>((resolve) => X.close(() => resolve())),
  };
}
