/**
 * The customer's system clipboard, text only. Behind it, the native part
 * (`x11-clipboard-adapter.ts`); the session above knows nothing of X.
 */
export interface SystemClipboard {
  readonly name: string;
  /**
   * The clipboard's text now: '' when it holds none. Rejects with ClipboardTooLong past
   * `maxBytes` of UTF-8, or when the system does not answer.
   */
  readText(maxBytes: number): Promise<string>;
  /** Puts `text` in the clipboard (the customer's next paste gives it). */
  writeText(text: string): Promise<void>;
  /** Calls `listener` when another program puts something in the clipboard; returns the call that stops it. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

/** The clipboard holds more than the caller takes. */
export class ClipboardTooLong extends Error {}
