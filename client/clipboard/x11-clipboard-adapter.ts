import { connectX11, type X11Client } from '../support/x11-connect';
import { ClipboardTooLong, type SystemClipboard } from './clipboard';

/**
 * The CLIPBOARD selection of an X11 display (what Ctrl+C and Ctrl+V use), over the
 * pure-JavaScript X connection the agent uses elsewhere (ICCCM §2):
 *
 * - writing: our own unmapped window becomes the selection's owner and answers each
 *   program that asks (SelectionRequest) with the text as UTF8_STRING, or the list of
 *   targets; another program taking the selection (SelectionClear) ends that;
 * - reading: ConvertSelection to UTF8_STRING into a property of our window, wait for the
 *   owner's SelectionNotify, read the property with a bound on its length. A reply in
 *   pieces (INCR) is only ever for text far past the bound: refused as too long;
 * - changes: XFixes SelectionNotify on CLIPBOARD (a new owner).
 *
 * X keeps no copy: what we put there lasts while the agent runs (or a clipboard manager
 * takes it), as with any program that copies.
 */

const CONNECT_TIMEOUT_MS = 2000;
/** Longest wait for the selection's owner to answer: a hung program must not hang the session. */
const READ_TIMEOUT_MS = 2000;
/** Event masks and atoms used here (X11 protocol constants). */
const PROPERTY_CHANGE_MASK = 0x400000;
const ATOM_TYPE = 4;
const ANY_PROPERTY_TYPE = 0;
const NONE = 0;
const INPUT_ONLY = 2;

interface XEvent {
  readonly name?: string;
  readonly time?: number;
  readonly owner?: number;
  readonly requestor?: number;
  readonly selection?: number;
  readonly target?: number;
  readonly property?: number;
}
interface PropertyReply {
  readonly type: number;
  readonly bytesAfter: number;
  readonly data: Buffer;
}
interface XFixes {
  readonly SelectionEventMask: { readonly SetSelectionOwner: number };
  SelectSelectionInput(window: number, selection: number, mask: number): void;
}
interface XClient extends X11Client {
  AllocID(): number;
  CreateWindow(wid: number, parent: number, x: number, y: number, w: number, h: number, border: number, depth: number, cls: number, visual: number, values: Record<string, number>): void;
  DestroyWindow(wid: number): void;
  InternAtom(onlyIfExists: boolean, name: string, cb: (err: Error | null, atom: number) => void): void;
  SetSelectionOwner(owner: number, selection: number, time?: number): void;
  GetSelectionOwner(selection: number, cb: (err: Error | null, owner: number) => void): void;
  ConvertSelection(requestor: number, selection: number, target: number, property: number, time?: number): void;
  ChangeProperty(mode: number, wid: number, name: number, type: number, units: number, data: Buffer | number[]): void;
  GetProperty(del: number, wid: number, name: number, type: number, longOffset: number, longLength: number, cb: (err: Error | null, reply: PropertyReply) => void): void;
  SendEvent(destination: number, propagate: number, eventMask: number, event: Record<string, unknown>): void;
  require(ext: 'fixes', cb: (err: Error | null, ext: XFixes) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  on(event: 'event', listener: (event: XEvent) => void): void;
}
interface XDisplay {
  readonly client: XClient;
  readonly screen: { readonly root: number }[];
}

interface Atoms {
  readonly clipboard: number;
  readonly utf8: number;
  readonly targets: number;
  readonly incr: number;
  readonly property: number;
}

function intern(X: XClient, name: string): Promise<number> {
  return new Promise((resolve, reject) => X.InternAtom(false, name, (err, atom) => (err ? reject(err) : resolve(atom))));
}

export class X11Clipboard implements SystemClipboard {
  readonly name = 'x11-selection';
  /** What we put in the clipboard, while we own it. */
  private owned: Buffer | undefined;
  private readonly listeners = new Set<() => void>();
  /** The read waiting for its SelectionNotify. */
  private pendingRead: ((event: XEvent) => void) | undefined;
  /** One read at a time: they share our window's property. */
  private reading: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly display: XDisplay, private readonly window: number, private readonly atoms: Atoms) {
    display.client.on('event', (event) => this.onEvent(event));
  }

  static async open(displayName: string): Promise<X11Clipboard> {
    const display = await connectX11<XDisplay>(displayName, CONNECT_TIMEOUT_MS);
    const X = display.client;
    X.on('error', () => { /* a failed request surfaces as a timeout of the call that made it */ });
    try {
      const root = display.screen[0]!.root;
      const window = X.AllocID();
      X.CreateWindow(window, root, 0, 0, 1, 1, 0, 0, INPUT_ONLY, 0, { eventMask: PROPERTY_CHANGE_MASK });
      const [clipboard, utf8, targets, incr, property] = await Promise.all(
        ['CLIPBOARD', 'UTF8_STRING', 'TARGETS', 'INCR', 'COMPUEASYS_CLIPBOARD'].map((name) => intern(X, name)),
      );
      const fixes = await new Promise<XFixes>((resolve, reject) => X.require('fixes', (err, ext) => (err ? reject(err) : resolve(ext))));
      fixes.SelectSelectionInput(window, clipboard!, fixes.SelectionEventMask.SetSelectionOwner);
      return new X11Clipboard(display, window, { clipboard: clipboard!, utf8: utf8!, targets: targets!, incr: incr!, property: property! });
    } catch (error) {
      X.terminate();
      throw error;
    }
  }

  async writeText(text: string): Promise<void> {
    this.owned = Buffer.from(text, 'utf8');
    this.display.client.SetSelectionOwner(this.window, this.atoms.clipboard, 0);
    // The server answers nothing to SetSelectionOwner: asking who owns it now also waits
    // until the request was handled, so a paste right after gets our text.
    const owner = await this.request<number>((done) => this.display.client.GetSelectionOwner(this.atoms.clipboard, done));
    if (owner !== this.window) throw new Error('another program kept the clipboard');
  }

  readText(maxBytes: number): Promise<string> {
    const read = this.reading.then(() => this.readOnce(maxBytes));
    this.reading = read.catch(() => undefined);
    return read;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.owned = undefined;
    try {
      this.display.client.DestroyWindow(this.window);
    } finally {
      this.display.client.terminate();
    }
  }

  private async readOnce(maxBytes: number): Promise<string> {
    if (this.owned !== undefined) return this.checked(this.owned, maxBytes);
    const { client: X } = this.display;
    const notified = new Promise<XEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingRead = undefined;
        reject(new Error('the clipboard\'s owner did not answer'));
      }, READ_TIMEOUT_MS);
      this.pendingRead = (event) => {
        clearTimeout(timer);
        this.pendingRead = undefined;
        resolve(event);
      };
    });
    X.ConvertSelection(this.window, this.atoms.clipboard, this.atoms.utf8, this.atoms.property, 0);
    const event = await notified;
    if (event.property === NONE) return ''; // no owner, or no text in it
    // One 4-byte unit past the bound: enough to tell "too long" without reading it all.
    const reply = await this.request<PropertyReply>((done) => X.GetProperty(1, this.window, this.atoms.property, ANY_PROPERTY_TYPE, 0, Math.ceil(maxBytes / 4) + 1, done));
    if (reply.type === this.atoms.incr || reply.bytesAfter > 0) throw new ClipboardTooLong('the clipboard holds more text than a session carries');
    return this.checked(reply.data, maxBytes);
  }

  private checked(bytes: Buffer, maxBytes: number): string {
    if (bytes.length > maxBytes) throw new ClipboardTooLong('the clipboard holds more text than a session carries');
    // Invalid UTF-8 from another program shows as U+FFFD rather than failing the read.
    return new TextDecoder('utf-8').decode(bytes);
  }

  private onEvent(event: XEvent): void {
    switch (event.name) {
      case 'SelectionRequest':
        return this.answerRequest(event);
      case 'SelectionClear':
        if (event.selection === this.atoms.clipboard) this.owned = undefined;
        return;
      case 'SelectionNotify':
        // Ours: the answer to a read. Without a requestor: XFixes telling of a new owner.
        if (event.requestor === this.window && event.selection === this.atoms.clipboard) this.pendingRead?.(event);
        else if (event.selection === this.atoms.clipboard && event.owner !== this.window) for (const l of [...this.listeners]) l();
        return;
      default:
        return;
    }
  }

  /** Another program pastes: give it the text (or the list of what we offer), or say no. */
  private answerRequest(event: XEvent): void {
    const { client: X } = this.display;
    const requestor = event.requestor ?? NONE;
    // ICCCM: an obsolete client names no property; the target is the property then.
    const property = event.property === NONE ? event.target ?? NONE : event.property ?? NONE;
    let answered = NONE;
    if (this.owned !== undefined && event.selection === this.atoms.clipboard && requestor !== NONE && property !== NONE) {
      if (event.target === this.atoms.targets) {
        X.ChangeProperty(0, requestor, property, ATOM_TYPE, 32, [this.atoms.targets, this.atoms.utf8]);
        answered = property;
      } else if (event.target === this.atoms.utf8) {
        X.ChangeProperty(0, requestor, property, this.atoms.utf8, 8, this.owned);
        answered = property;
      }
    }
    X.SendEvent(requestor, 0, 0, {
      name: 'SelectionNotify', seq: 0, time: event.time ?? 0, requestor, selection: event.selection ?? NONE, target: event.target ?? NONE, property: answered,
    });
  }

  private request<T>(call: (done: (err: Error | null, value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the X server did not answer')), READ_TIMEOUT_MS);
      call((err, value) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      });
    });
  }
}
