/**
 * What the transfer logic needs of the host's files, so that it runs unchanged in the
 * agent (node:fs, node:crypto) and in the page (File, Blob, a JavaScript SHA-256).
 */

/** An incremental SHA-256. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}

/** A file to send: the sender reads it in order, a chunk at a time. */
export interface FileSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset` (the file must not change while it is sent: a short read fails the transfer). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Frees what the source holds (a file handle). Called once, whatever the outcome. */
  close(): Promise<void>;
}

/** Where a received file goes: written in order, kept only once its SHA-256 matched. */
export interface FileSink {
  write(bytes: Uint8Array): Promise<void>;
  /** The whole file arrived and matched: make it the user's (the agent renames it into Downloads). The name it got. */
  commit(): Promise<string>;
  /** Cancelled, failed or corrupt: nothing of it stays. Called at most once, never after commit. */
  discard(): Promise<void>;
}
