/**
 * Input events, technician → client. Coordinates are in the captured screen's pixel
 * space (the `screenWidth`×`screenHeight` of the frames), so they land on the same
 * pixel whatever the scale the technician views at.
 */

export type MouseButton = 'left' | 'middle' | 'right';

export interface Modifiers {
  readonly ctrl: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
  readonly meta: boolean;
}

export interface PointerMoveEvent {
  readonly kind: 'pointer-move';
  readonly x: number;
  readonly y: number;
  /** Display the coordinates refer to; absent means the display being streamed. */
  readonly display?: number;
}

export interface ButtonEvent {
  readonly kind: 'button-down' | 'button-up' | 'click' | 'double-click';
  readonly button: MouseButton;
  readonly x: number;
  readonly y: number;
  readonly display?: number;
}

export interface WheelEvent {
  readonly kind: 'wheel';
  readonly x: number;
  readonly y: number;
  /** Horizontal scroll in wheel steps (notches); positive scrolls right. */
  readonly dx: number;
  /** Vertical scroll in wheel steps (notches); positive scrolls down. */
  readonly dy: number;
  readonly display?: number;
}

export interface KeyEvent {
  readonly kind: 'key-down' | 'key-up';
  /** Physical key, as the W3C UI Events `code` (`KeyA`, `ShiftLeft`, `F5`). */
  readonly code: string;
  /** Produced key, as the W3C UI Events `key` (`a`, `ñ`, `Enter`, `Dead`). */
  readonly key: string;
  readonly modifiers: Modifiers;
}

export interface TextEvent {
  readonly kind: 'text';
  /** Any Unicode text, typed on the client exactly as given. */
  readonly text: string;
}

export type InputEvent = PointerMoveEvent | ButtonEvent | WheelEvent | KeyEvent | TextEvent;
export type InputKind = InputEvent['kind'];

export const MOUSE_BUTTONS: readonly MouseButton[] = Object.freeze(['left', 'middle', 'right']);
export const INPUT_KINDS: readonly InputKind[] = Object.freeze([
  'pointer-move', 'button-down', 'button-up', 'click', 'double-click', 'wheel', 'key-down', 'key-up', 'text',
]);

/** Longest `text` event, in UTF-16 code units. Longer text is sent as several events. */
export const MAX_TEXT_EVENT_LENGTH = 4096;
/** Longest `code` or `key` string. */
export const MAX_KEY_NAME_LENGTH = 32;
/** Largest absolute wheel step count in one event. */
export const MAX_WHEEL_STEPS = 100;
/** Coordinates fit the frame header's 16-bit fields. */
export const MAX_COORDINATE = 65535;

export const NO_MODIFIERS: Modifiers = Object.freeze({ ctrl: false, alt: false, shift: false, meta: false });

/**
 * Splits text into pieces of at most `max` UTF-16 code units (by default the limit of one
 * `text` event), never between the two halves of a surrogate pair, so an emoji or any
 * character outside the BMP arrives whole. Joining the pieces gives the text back exactly.
 * Every sender of long text (the technician's page, the relay for legacy technicians)
 * cuts it this way.
 */
export function splitTextForEvents(text: string, max: number = MAX_TEXT_EVENT_LENGTH): string[] {
  if (max < 2) throw new RangeError('max must be at least 2 (one surrogate pair)');
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
