/** A shape of the customer's pointer, ready for `cursor-shape`: at most MAX_CURSOR_SIZE each way. */
export interface CursorShape {
  /** The system's name for this shape (XFixes: the cursor serial); the same shape shown again keeps it. */
  readonly id: number;
  readonly width: number;
  readonly height: number;
  readonly hotX: number;
  readonly hotY: number;
  /** width × height × 4 bytes, RGBA, straight alpha. */
  readonly rgba: Uint8Array;
}

/** Where the pointer is, in the screen's pixels. */
export interface PointerPosition {
  readonly x: number;
  readonly y: number;
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
  close(): Promise<void>;
}
