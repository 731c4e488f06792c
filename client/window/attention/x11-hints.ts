/**
 * The pure parts of asking for attention on X11: the ICCCM WM_HINTS urgency flag and the
 * EWMH `_NET_WM_STATE` client message, as bytes and numbers (x11-attention-adapter.ts
 * sends them).
 */

/** Atoms every X server predefines (X11 protocol, appendix B): no InternAtom needed. */
export const PredefinedAtom = Object.freeze({
  AnyPropertyType: 0,
  STRING: 31,
  WINDOW: 33,
  WM_HINTS: 35,
  WM_NAME: 39,
});

/** ICCCM 4.1.2.4: the `flags` bit of WM_HINTS that marks the window urgent. */
export const URGENCY_HINT = 1 << 8;
/** WM_HINTS is nine CARD32s: flags, input, initial_state, icon_pixmap, icon_window, icon_x, icon_y, icon_mask, window_group. */
export const WM_HINTS_LENGTH = 9;

/** EWMH `_NET_WM_STATE` actions. */
export const NET_WM_STATE_REMOVE = 0;
export const NET_WM_STATE_ADD = 1;
/** EWMH source indication: a normal application (not a pager acting for the user). */
const SOURCE_APPLICATION = 1;
/** The core event code of ClientMessage. */
const CLIENT_MESSAGE = 33;
/** What EWMH asks messages to the root to be sent with: SubstructureNotify | SubstructureRedirect. */
export const ROOT_MESSAGE_EVENT_MASK = (1 << 19) | (1 << 20);

/** A format-32 property's values (the x11 package hands them over as little-endian bytes). */
export function card32s(data: Uint8Array): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= data.byteLength; i += 4) out.push(view.getUint32(i, true));
  return out;
}

/**
 * The WM_HINTS to write so the urgency flag is `urgent`, the other fields kept as they
 * were; `undefined` when there is nothing to write (already so, or no hints and none
 * wanted). A property written by an older client with fewer fields is padded with zeros
 * (their flags bits are not set, so nobody reads them); a missing one gets only the flag.
 */
export function withUrgency(current: readonly number[] | undefined, urgent: boolean): number[] | undefined {
  const flags = current?.[0] ?? 0;
  const isUrgent = (flags & URGENCY_HINT) !== 0;
  if (isUrgent === urgent) return undefined;
  const next = Array.from({ length: Math.max(WM_HINTS_LENGTH, current?.length ?? 0) }, (_, i) => current?.[i] ?? 0);
  next[0] = (urgent ? flags | URGENCY_HINT : flags & ~URGENCY_HINT) >>> 0;
  return next;
}

/**
 * The 32 bytes of the ClientMessage that asks the window manager to add (or remove) a
 * state of `window` (EWMH `_NET_WM_STATE`): sent to the root window, since a window
 * manager, not the client, owns the property once the window is mapped.
 */
export function netWmStateMessage(window: number, netWmState: number, action: typeof NET_WM_STATE_ADD | typeof NET_WM_STATE_REMOVE, state: number): Uint8Array {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  bytes[0] = CLIENT_MESSAGE;
  bytes[1] = 32; // format
  view.setUint32(4, window, true);
  view.setUint32(8, netWmState, true);
  const data = [action, state, 0, SOURCE_APPLICATION, 0];
  data.forEach((value, i) => view.setUint32(12 + i * 4, value, true));
  return bytes;
}

/** A window title from its property's bytes: `_NET_WM_NAME` is UTF-8, `WM_NAME` Latin-1 (or compound text, whose ASCII part reads the same). */
export function decodeTitle(data: Uint8Array, utf8: boolean): string {
  // Latin-1 is each byte's own code point (TextDecoder's 'latin1' is really windows-1252).
  return utf8 ? new TextDecoder('utf-8').decode(data) : Array.from(data, (b) => String.fromCharCode(b)).join('');
}
