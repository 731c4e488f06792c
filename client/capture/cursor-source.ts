import type { CursorImage } from '../../protocol/cursor';

/**
 * A shape of the customer's pointer, ready for `cursor-shape`: at most MAX_CURSOR_SIZE each
 * way. The same fields the page checks a received shape into; `id` is the system's name for
 * the shape (XFixes: the cursor serial), kept when the same shape shows again.
 */
export type CursorShape = CursorImage;

/** Where the pointer is, in the screen's pixels (in the streamed picture's, once cursorInView moved it). */
export interface PointerPosition {
  readonly x: number;
  readonly y: number;
  /** False when the pointer is off the streamed monitor; absent means shown. */
  readonly visible?: boolean;
}

/**
 * The customer's pointer as the system shows it: its shape (with a notice when it
 * changes) and its position. Behind it, the native part (`x11-cursor-adapter.ts`); the
 * streamer above knows nothing of X.
 */
export interface CursorSource {
  readonly name: string;
  /** The shape shown now. */
  shape(): Promise<CursorShape>;
  /** Calls `listener` with the new shape's id whenever the shown shape changes; returns the call that stops it. */
  onShapeChange(listener: (id: number) => void): () => void;
  position(): Promise<PointerPosition>;
  /**
   * Present when the system says when the pointer moves (X11: XInput 2 raw motion): calls
   * `listener` on each move (many a second while it moves); returns the call that stops it.
   * The streamer then looks at a still pointer only seldom instead of a few times a second.
   */
  onMove?(listener: () => void): () => void;
  close(): Promise<void>;
}
