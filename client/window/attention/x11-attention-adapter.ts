import type { Logger } from 'pino';
import { abandon, connectX11, type X11Client } from '../../support/x11-connect';
import { APP_WINDOW_TITLES, errorText, isAppWindowTitle, MAX_ATTENTION_WINDOWS, type WindowAttention } from './window-attention';
import {
  card32s, decodeTitle, NET_WM_STATE_ADD, NET_WM_STATE_REMOVE, netWmStateMessage, PredefinedAtom,
  ROOT_MESSAGE_EVENT_MASK, withUrgency, WM_HINTS_LENGTH,
} from './x11-hints';

/** Bounds: the desktop is someone else's, and a stuck X server must not hold anything up. */
export interface X11AttentionLimits {
  /** Longest wait for the connection, and for each request's answer, ms. */
  readonly requestTimeoutMs: number;
  /** Windows looked at: the `_NET_CLIENT_LIST` entries, or the windows of the tree walk. */
  readonly maxCandidates: number;
  /** How deep the tree walk goes below the root when there is no `_NET_CLIENT_LIST` (a frame and its client are 2). */
  readonly maxDepth: number;
  /** Windows asked about at most. */
  readonly maxWindows: number;
}

export const DEFAULT_X11_ATTENTION_LIMITS: X11AttentionLimits = Object.freeze({
  requestTimeoutMs: 2000,
  maxCandidates: 2048,
  maxDepth: 3,
  maxWindows: MAX_ATTENTION_WINDOWS,
});

/** Titles are read up to this many CARD32s (1 KiB): enough to hold ours. */
const TITLE_LONGS = 256;
/** Requests in flight at once while reading titles. */
const BATCH = 64;

// Minimal typing of the parts of the `x11` package used here (it ships no types). Every
// callback returns true: "handled", so an X error does not also surface as an 'error' event.
interface XProperty {
  readonly type: number;
  readonly format: number;
  readonly data: Uint8Array;
}
type Done<T> = (err: Error | null | undefined, value: T) => boolean;
interface XClient extends X11Client {
  InternAtom(onlyIfExists: boolean, name: string, cb: Done<number>): void;
  GetProperty(remove: 0 | 1, window: number, property: number, type: number, longOffset: number, longLength: number, cb: Done<XProperty>): void;
  ChangeProperty(mode: 0 | 1 | 2, window: number, property: number, type: number, format: 8 | 16 | 32, data: number[], cb: Done<undefined>): void;
  QueryTree(window: number, cb: Done<{ readonly children: number[] }>): void;
  SendEvent(destination: number, propagate: 0 | 1, eventMask: number, event: Buffer, cb: Done<undefined>): void;
}
interface XDisplay {
  readonly client: XClient;
  readonly screen: readonly { readonly root: number }[];
}

/** The atoms looked up by name (the others are predefined). */
interface Atoms {
  readonly netWmName: number;
  readonly utf8String: number;
  readonly netClientList: number;
  readonly netWmState: number;
  readonly demandsAttention: number;
}

/** One open connection to the display, every request bounded by a timeout. */
class XSession {
  private constructor(private readonly display: XDisplay, private readonly timeoutMs: number) {}

  static async open(displayName: string, timeoutMs: number, logger: Logger): Promise<XSession> {
    const display = await connectX11<XDisplay>(displayName, timeoutMs);
    // Errors of a dropped socket and the like: the requests' own timeouts cover them.
    display.client.on('error', (e) => logger.debug({ err: e.message }, 'X error while asking for attention'));
    return new XSession(display, timeoutMs);
  }

  /** The root window of each screen of the display. */
  get roots(): number[] {
    return this.display.screen.map((s) => s.root);
  }

  close(): void {
    abandon(this.display.client);
  }

  internAtom(name: string): Promise<number> {
    return this.call('InternAtom', (done) => this.display.client.InternAtom(false, name, done));
  }

  getProperty(window: number, property: number, type: number, longLength: number): Promise<XProperty> {
    return this.call('GetProperty', (done) => this.display.client.GetProperty(0, window, property, type, 0, longLength, done));
  }

  replaceProperty(window: number, property: number, type: number, values: number[]): Promise<void> {
    return this.call('ChangeProperty', (done) => this.display.client.ChangeProperty(0, window, property, type, 32, values, done));
  }

  children(window: number): Promise<number[]> {
    return this.call('QueryTree', (done) => this.display.client.QueryTree(window, (err, tree) => done(err, tree?.children ?? [])));
  }

  sendToRoot(root: number, event: Uint8Array): Promise<void> {
    return this.call('SendEvent', (done) => this.display.client.SendEvent(root, 0, ROOT_MESSAGE_EVENT_MASK, Buffer.from(event), done));
  }

  private call<T>(what: string, start: (done: Done<T>) => void): Promise<T> {
    return bounded(this.timeoutMs, what, start);
  }
}

/** Runs one X request; rejects on its error, or when no answer came within `timeoutMs`. */
function bounded<T>(timeoutMs: number, what: string, start: (done: Done<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    function finish(err: Error | null | undefined, value?: T): boolean {
      if (settled) return true;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as T);
      return true;
    }
    try {
      start(finish);
    } catch (err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** `undefined` when the request failed (the window went away meanwhile). */
function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  return p.then((v) => v, () => undefined);
}

/**
 * Asks for attention on X11 the two ways desktops listen for: the ICCCM urgency hint in
 * the window's WM_HINTS (taskbars and most window managers mark the window) and the EWMH
 * `_NET_WM_STATE_DEMANDS_ATTENTION` state, asked of the window manager by a client
 * message to the root. The window is found by its title; each call opens its own short
 * connection to the display (questions are rare, and nothing stays open between them),
 * and calls run one after the other so a clear never overtakes its request.
 */
export class X11WindowAttention implements WindowAttention {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  /** The windows of the last request and their roots: cleared even if their title changed since. */
  private flagged = new Map<number, number>();

  constructor(
    private readonly displayName: string,
    private readonly logger: Logger,
    private readonly limits: X11AttentionLimits = DEFAULT_X11_ATTENTION_LIMITS,
    /** The titles to look for (the app's own by default; tests pass others). */
    private readonly titles: readonly string[] = APP_WINDOW_TITLES,
  ) {}

  request(): Promise<void> {
    return this.enqueue(true);
  }

  clear(): Promise<void> {
    return this.enqueue(false);
  }

  close(): void {
    this.closed = true;
  }

  private enqueue(urgent: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    const run = this.tail.then(() => this.apply(urgent)).catch((err: unknown) => {
      this.logger.debug({ err: errorText(err), urgent }, 'could not ask the desktop for attention');
    });
    this.tail = run;
    return run;
  }

  private async apply(urgent: boolean): Promise<void> {
    const x = await XSession.open(this.displayName, this.limits.requestTimeoutMs, this.logger);
    try {
      const atoms = await internAtoms(x);
      const windows = await this.findWindows(x, atoms);
      if (!urgent) for (const [window, root] of this.flagged) if (!windows.has(window)) windows.set(window, root);
      const entries = [...windows];
      const written = await Promise.all(entries.map(([window, root]) => this.mark(x, atoms, root, window, urgent)));
      this.flagged = urgent ? new Map(entries.filter((_, i) => written[i])) : new Map();
      this.logger.debug({ urgent, windows: entries.length, written: written.filter(Boolean).length }, 'asked the desktop for attention');
    } finally {
      x.close();
    }
  }

  /** Sets or clears both signals on one window; true if its WM_HINTS are now as asked. */
  private async mark(x: XSession, atoms: Atoms, root: number, window: number, urgent: boolean): Promise<boolean> {
    let written = false;
    try {
      const hints = await x.getProperty(window, PredefinedAtom.WM_HINTS, PredefinedAtom.WM_HINTS, WM_HINTS_LENGTH);
      // No property reads as type None: it is created, with only the flag.
      const current = hints.type === PredefinedAtom.WM_HINTS && hints.format === 32 ? card32s(hints.data) : undefined;
      const next = withUrgency(current, urgent);
      if (next !== undefined) await x.replaceProperty(window, PredefinedAtom.WM_HINTS, PredefinedAtom.WM_HINTS, next);
      written = true;
    } catch (err) {
      this.logger.debug({ err: errorText(err) }, 'could not change a window\'s urgency hint');
    }
    // Without a window manager nobody listens: the server drops the message, no error.
    await x.sendToRoot(root, netWmStateMessage(window, atoms.netWmState, urgent ? NET_WM_STATE_ADD : NET_WM_STATE_REMOVE, atoms.demandsAttention))
      .catch((err: unknown) => this.logger.debug({ err: errorText(err) }, 'could not send _NET_WM_STATE'));
    return written;
  }

  /** Our top-level windows and their roots: from the window manager's client list, else by walking the tree. */
  private async findWindows(x: XSession, atoms: Atoms): Promise<Map<number, number>> {
    const { maxCandidates, maxWindows } = this.limits;
    const matches = new Map<number, number>();
    for (const root of x.roots) {
      const listed = await orUndefined(x.getProperty(root, atoms.netClientList, PredefinedAtom.WINDOW, maxCandidates));
      const candidates = listed !== undefined && listed.format === 32 && listed.data.byteLength > 0
        ? card32s(listed.data).slice(0, maxCandidates)
        : await this.walk(x, root);
      for (let i = 0; i < candidates.length && matches.size < maxWindows; i += BATCH) {
        const batch = candidates.slice(i, i + BATCH);
        const titles = await Promise.all(batch.map((w) => this.title(x, atoms, w)));
        batch.forEach((w, j) => {
          const title = titles[j];
          if (title !== undefined && matches.size < maxWindows && isAppWindowTitle(title, this.titles)) matches.set(w, root);
        });
      }
    }
    return matches;
  }

  /** The windows below `root`, breadth first, to `maxDepth` levels and `maxCandidates` windows. */
  private async walk(x: XSession, root: number): Promise<number[]> {
    const { maxCandidates, maxDepth } = this.limits;
    const found: number[] = [];
    let level = [root];
    for (let depth = 1; depth <= maxDepth && level.length > 0 && found.length < maxCandidates; depth++) {
      const next: number[] = [];
      for (let i = 0; i < level.length && found.length + next.length < maxCandidates; i += BATCH) {
        const lists = await Promise.all(level.slice(i, i + BATCH).map((w) => orUndefined(x.children(w))));
        for (const list of lists) next.push(...(list ?? []));
      }
      const room = next.slice(0, maxCandidates - found.length);
      found.push(...room);
      level = room;
    }
    return found;
  }

  /** `_NET_WM_NAME` (UTF-8), else `WM_NAME`; `undefined` for an untitled window or one gone. */
  private async title(x: XSession, atoms: Atoms, window: number): Promise<string | undefined> {
    const net = await orUndefined(x.getProperty(window, atoms.netWmName, atoms.utf8String, TITLE_LONGS));
    if (net !== undefined && net.format === 8 && net.data.byteLength > 0) return decodeTitle(net.data, true);
    const plain = await orUndefined(x.getProperty(window, PredefinedAtom.WM_NAME, PredefinedAtom.AnyPropertyType, TITLE_LONGS));
    if (plain !== undefined && plain.format === 8 && plain.data.byteLength > 0) return decodeTitle(plain.data, plain.type === atoms.utf8String);
    return undefined;
  }
}

async function internAtoms(x: XSession): Promise<Atoms> {
  const [netWmName, utf8String, netClientList, netWmState, demandsAttention] = await Promise.all([
    '_NET_WM_NAME', 'UTF8_STRING', '_NET_CLIENT_LIST', '_NET_WM_STATE', '_NET_WM_STATE_DEMANDS_ATTENTION',
  ].map((name) => x.internAtom(name)));
  return { netWmName: netWmName!, utf8String: utf8String!, netClientList: netClientList!, netWmState: netWmState!, demandsAttention: demandsAttention! };
}
