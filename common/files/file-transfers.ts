import {
  encodeBase64Url, FILE_WINDOW_BYTES, MAX_FILE_CHUNK_BYTES, MAX_TRANSFER_ID, MAX_TRANSFERS_AT_ONCE,
  type FileCancelReason, type FileDeclineReason, type FileTransferMessage, type Role,
} from '../../protocol';
import type { FileSink, FileSource, Hasher } from './file-io';
import { ProgressMeter, type TransferProgress } from './transfer-progress';

/**
 * The file transfers of one session, on either side (PROTOCOL.md §4.3, file transfer).
 * The technician numbers every transfer: its offers (it sends) and its requests (the
 * customer picks a file and sends it). The sender keeps at most FILE_WINDOW_BYTES beyond
 * the receiver's last `file-ack` in flight and at most `chunksPerSecond` chunks a second
 * for the whole session, so a large file never crowds out input and the screen, nor runs
 * into the relay's message rate. The receiver writes in order, hashes as it writes, and
 * keeps the file only when the SHA-256 in `file-end` matches. Everything the other side
 * sends is checked: a chunk out of place, too many bytes, more in flight than the window
 * allows, an acknowledgement of bytes never sent, all end that transfer (`file-cancel`
 * `refused`) and nothing else. The bytes travel as sealed binary FILE_CHUNK records, which
 * the session does not keep for resending; the small control messages are sealed text,
 * which it does. So across a dropped connection (`connectionLost` … `connectionBack`)
 * senders pause, each receiver says with `file-resume` how many bytes it has, and its
 * sender goes on from there.
 */

export type TransferDirection = 'send' | 'receive';

export type TransferOutcome =
  | 'saved' // received, matched, kept
  | 'sent' // the other side saved it
  | 'declined' // the other side said no (see declineReason)
  | 'cancelled' // this side cancelled
  | 'cancelled-by-peer'
  | 'corrupt' // the SHA-256 did not match: nothing kept
  | 'failed' // could not read or write here, or the other side could not
  | 'refused' // one side broke the transfer's rules
  | 'ended'; // the session ended first

export interface TransferInfo {
  readonly id: number;
  readonly direction: TransferDirection;
  /** As the sender named it (hostile: shown as text only). Empty while a request waits for the customer's choice. */
  readonly name: string;
  readonly size: number;
  readonly progress: TransferProgress;
}

export interface TransferEvents {
  /** A transfer began or made progress (at most about ten times a second, and at 100 %). */
  onProgress?(info: TransferInfo): void;
  /** A transfer is over. `savedAs`: the name the received file got. */
  onFinished?(info: TransferInfo, outcome: TransferOutcome, detail?: { savedAs?: string; declineReason?: FileDeclineReason }): void;
}

/** What the host decides and provides. */
export interface TransferHost extends TransferEvents {
  /**
   * A file offered to this side (`requested`: the answer to our own request). Open where it
   * goes, or say why not. The customer's side asks the customer here.
   */
  openIncoming(offer: { readonly id: number; readonly name: string; readonly size: number; readonly requested: boolean }, signal: AbortSignal): Promise<FileSink | FileDeclineReason>;
  /** The technician asks for a file: let the customer pick one (undefined: the customer picked none). Customer's side only. */
  pickFile?(id: number, signal: AbortSignal): Promise<FileSource | undefined>;
  createHasher(): Hasher;
}

export interface FileTransfersOptions {
  readonly role: Role;
  readonly send: (message: FileTransferMessage) => void;
  /** Seals and sends one FILE_CHUNK (binary, not kept for resending). */
  readonly sendChunk: (id: number, offset: number, data: Uint8Array) => void;
  readonly host: TransferHost;
  /** Largest file this side takes or sends. */
  readonly maxFileBytes: number;
  readonly maxTransfers?: number;
  readonly windowBytes?: number;
  readonly chunkBytes?: number;
  /** Chunks this side sends per second, all transfers together (the relay closes a socket that sends too many messages). */
  readonly chunksPerSecond?: number;
  readonly now?: () => number;
  readonly timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  readonly warn?: (detail: string) => void;
}

/** Default pace: below the relay's default 1,000 messages a second per socket, with room for input and acknowledgements. */
export const DEFAULT_CHUNKS_PER_SECOND = 800;
/** The receiver acknowledges once this share of the window has been written since its last acknowledgement. */
const ACK_EVERY_WINDOW_SHARE = 4;

type Outgoing = {
  readonly kind: 'send';
  readonly id: number;
  state: 'offered' | 'picking' | 'sending' | 'ending';
  source: FileSource | undefined;
  name: string;
  size: number;
  sent: number;
  acked: number;
  /** Bytes hashed so far: after a rewind (file-resume) the bytes sent again are not hashed twice. */
  hashedUpTo: number;
  /** The connection dropped: nothing goes until the receiver says where to go on from. */
  waitingResume: boolean;
  reading: boolean;
  hasher: Hasher | undefined;
  meter: ProgressMeter;
  readonly abort: AbortController;
};

type Incoming = {
  readonly kind: 'receive';
  readonly id: number;
  state: 'requested' | 'asking' | 'receiving' | 'checking';
  sink: FileSink | undefined;
  name: string;
  size: number;
  /** Bytes that arrived (queued for writing or written). */
  received: number;
  written: number;
  ackedUpTo: number;
  writes: Promise<void>;
  hasher: Hasher | undefined;
  meter: ProgressMeter;
  readonly abort: AbortController;
  failed: boolean;
  /** After a drop, until the sender's chunks come from `received` again: others are dropped quietly. */
  resyncing: boolean;
  /** The connection dropped at least once during this transfer. */
  resumed: boolean;
};

type Transfer = Outgoing | Incoming;

export class FileTransfers {
  private readonly transfers = new Map<number, Transfer>();
  /** The technician's last transfer number: each new one must be above it (never reused). */
  private lastId = 0;
  private closed = false;
  private readonly windowBytes: number;
  private readonly chunkBytes: number;
  private readonly maxTransfers: number;
  private readonly now: () => number;
  private readonly timers: NonNullable<FileTransfersOptions['timers']>;
  /** Chunk pacing: the earliest time the next chunk may go, all transfers together. */
  private nextChunkAtMs = 0;
  private readonly chunkIntervalMs: number;
  private pumpTimer: unknown;

  constructor(private readonly options: FileTransfersOptions) {
    this.windowBytes = options.windowBytes ?? FILE_WINDOW_BYTES;
    this.chunkBytes = Math.min(options.chunkBytes ?? MAX_FILE_CHUNK_BYTES, MAX_FILE_CHUNK_BYTES);
    this.maxTransfers = options.maxTransfers ?? MAX_TRANSFERS_AT_ONCE;
    this.now = options.now ?? (() => Date.now());
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    this.chunkIntervalMs = 1000 / (options.chunksPerSecond ?? DEFAULT_CHUNKS_PER_SECOND);
  }

  /** Transfers under way (for tests and for a "nothing held" check). */
  get activeCount(): number {
    return this.transfers.size;
  }

  /** The technician offers a file to the customer; its number, or undefined when too many run or it is too big. */
  offer(source: FileSource): number | undefined {
    if (this.options.role !== 'technician' || this.closed) return undefined;
    if (this.transfers.size >= this.maxTransfers || source.size > this.options.maxFileBytes) return undefined;
    const id = this.newId();
    const t = this.outgoing(id, 'offered', source);
    this.options.send({ type: 'file-offer', id, name: source.name, size: source.size });
    this.tellProgress(t);
    return id;
  }

  /** The technician asks the customer for a file; its number, or undefined when too many run. */
  request(): number | undefined {
    if (this.options.role !== 'technician' || this.closed || this.transfers.size >= this.maxTransfers) return undefined;
    const id = this.newId();
    this.transfers.set(id, this.incoming(id, 'requested', '', 0));
    this.options.send({ type: 'file-request', id });
    return id;
  }

  /** A person pressed cancel: stops at once both here and there, nothing kept. */
  cancel(id: number): boolean {
    const t = this.transfers.get(id);
    if (t === undefined) return false;
    this.options.send({ type: 'file-cancel', id, reason: 'cancelled' });
    void this.finish(t, 'cancelled');
    return true;
  }

  /** The session ended: every transfer stops, partial files are deleted, sources closed. Nothing is sent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pumpTimer !== undefined) this.timers.clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    await Promise.all([...this.transfers.values()].map((t) => this.finish(t, 'ended')));
  }

  /** One file message from the other side (already opened and decoded). */
  handle(message: FileTransferMessage): void {
    if (this.closed) return;
    switch (message.type) {
      case 'file-offer':
        return this.onOffer(message.id, message.name, message.size);
      case 'file-request':
        return this.onRequest(message.id);
      case 'file-accept':
        return this.onAccept(message.id);
      case 'file-decline':
        return this.onDecline(message.id, message.reason);
      case 'file-resume':
        return this.onResume(message.id, message.offset);
      case 'file-ack':
        return this.onAck(message.id, message.received);
      case 'file-end':
        return this.onEnd(message.id, message.sha256);
      case 'file-saved':
        return this.onSaved(message.id);
      case 'file-cancel':
        return this.onCancel(message.id, message.reason);
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  /** The connection dropped (this side's, or the other side is away): senders pause. */
  connectionLost(): void {
    for (const t of this.transfers.values()) {
      if (t.kind === 'send' && (t.state === 'sending' || t.state === 'ending')) t.waitingResume = true;
      if (t.kind === 'receive' && t.state === 'receiving') t.resyncing = true;
    }
  }

  /** Both sides are in the session again: each receiver tells its sender where to go on from. */
  connectionBack(): void {
    for (const t of this.transfers.values()) {
      if (t.kind !== 'receive' || t.state !== 'receiving') continue;
      t.resyncing = true;
      t.resumed = true;
      this.options.send({ type: 'file-resume', id: t.id, offset: t.received });
    }
  }

  // ---- the receiving side ------------------------------------------------------

  private onOffer(id: number, name: string, size: number): void {
    const waiting = this.transfers.get(id);
    if (this.options.role === 'technician') {
      // Only as the answer to our own request, once.
      if (waiting?.kind !== 'receive' || waiting.state !== 'requested') return this.warn('an offer the page did not ask for');
      waiting.name = name;
      waiting.size = size;
      waiting.meter = new ProgressMeter(size, this.now);
      if (size > this.options.maxFileBytes) return this.decline(waiting, 'too-large');
      return this.ask(waiting, true);
    }
    if (!this.takeNewId(id)) return this.warn('an offer with a number already used');
    const t = this.incoming(id, 'asking', name, size);
    if (this.transfers.size >= this.maxTransfers) return this.options.send({ type: 'file-decline', id, reason: 'busy' });
    if (size > this.options.maxFileBytes) return this.options.send({ type: 'file-decline', id, reason: 'too-large' });
    this.transfers.set(id, t);
    this.ask(t, false);
  }

  private ask(t: Incoming, requested: boolean): void {
    t.state = 'asking';
    this.tellProgress(t);
    this.options.host.openIncoming({ id: t.id, name: t.name, size: t.size, requested }, t.abort.signal).then((answer) => {
      if (this.transfers.get(t.id) !== t) {
        // Cancelled (or the session ended) while the customer decided: what was opened goes.
        if (typeof answer !== 'string') void answer.discard();
        return;
      }
      if (typeof answer === 'string') return this.decline(t, answer);
      t.sink = answer;
      t.hasher = this.options.host.createHasher();
      t.state = 'receiving';
      this.options.send({ type: 'file-accept', id: t.id });
      this.tellProgress(t);
    }, () => {
      if (this.transfers.get(t.id) === t) this.decline(t, 'unavailable');
    });
  }

  private decline(t: Incoming, reason: FileDeclineReason): void {
    this.options.send({ type: 'file-decline', id: t.id, reason });
    void this.finish(t, 'declined', { declineReason: reason });
  }

  /** One FILE_CHUNK from the other side (opened: its seal verified). */
  handleChunk(id: number, offset: number, data: Uint8Array): void {
    if (this.closed) return;
    const t = this.transfers.get(id);
    // A chunk of a transfer that is over (cancelled here while it was on its way) is dropped quietly.
    if (t === undefined) return;
    if (t.kind !== 'receive' || t.state !== 'receiving') return this.refuse(t, 'a chunk before the file was accepted');
    // Around a drop, chunks the sender sent before it heard where to go on from are not news.
    if (t.resyncing && offset !== t.received) return;
    t.resyncing = false;
    // The chunk is a view into the message; kept only until written.
    const bytes = data;
    if (offset !== t.received) return this.refuse(t, 'a chunk out of place');
    if (t.received + bytes.length > t.size) return this.refuse(t, 'more bytes than offered');
    if (t.received + bytes.length - t.ackedUpTo > this.windowBytes) return this.refuse(t, 'more bytes in flight than the window');
    t.received += bytes.length;
    t.hasher!.update(bytes);
    t.writes = t.writes.then(async () => {
      if (t.failed || this.transfers.get(id) !== t) return;
      await t.sink!.write(bytes);
      t.written += bytes.length;
      if (t.written - t.ackedUpTo >= this.windowBytes / ACK_EVERY_WINDOW_SHARE || t.written === t.size) {
        t.ackedUpTo = t.written;
        this.options.send({ type: 'file-ack', id, received: t.written });
      }
      if (t.meter.update(t.written)) this.tellProgress(t);
    }).catch((error: unknown) => {
      if (t.failed || this.transfers.get(id) !== t) return;
      t.failed = true;
      this.warn(`could not write a received file: ${String(error)}`);
      this.options.send({ type: 'file-cancel', id, reason: 'failed' });
      void this.finish(t, 'failed');
    });
  }

  private onEnd(id: number, sha256: string): void {
    const t = this.transfers.get(id);
    if (t === undefined) return;
    if (t.kind !== 'receive' || t.state !== 'receiving') return this.refuse(t, 'an end before the file was accepted');
    if (t.received !== t.size) {
      // Sent before a drop lost some chunks: the sender ends again once it has sent them again.
      if (t.resumed) return;
      return this.refuse(t, 'an end before every byte');
    }
    t.state = 'checking';
    const digest = encodeBase64Url(t.hasher!.digest());
    void t.writes.then(async () => {
      if (t.failed || this.transfers.get(id) !== t) return;
      if (digest !== sha256) {
        this.options.send({ type: 'file-cancel', id, reason: 'corrupt' });
        return this.finish(t, 'corrupt');
      }
      let savedAs: string;
      try {
        savedAs = await t.sink!.commit();
      } catch (error) {
        this.warn(`could not keep a received file: ${String(error)}`);
        this.options.send({ type: 'file-cancel', id, reason: 'failed' });
        return this.finish(t, 'failed');
      }
      t.sink = undefined; // kept: never discarded after this
      if (this.transfers.get(id) !== t) return;
      this.options.send({ type: 'file-saved', id });
      return this.finish(t, 'saved', { savedAs });
    });
  }

  // ---- the sending side --------------------------------------------------------

  private onRequest(id: number): void {
    if (this.options.role !== 'client') return this.warn('a file request to the technician');
    if (!this.takeNewId(id)) return this.warn('a request with a number already used');
    const pick = this.options.host.pickFile;
    if (pick === undefined) return this.options.send({ type: 'file-decline', id, reason: 'unavailable' });
    if (this.transfers.size >= this.maxTransfers) return this.options.send({ type: 'file-decline', id, reason: 'busy' });
    const t = this.outgoing(id, 'picking', undefined);
    pick(id, t.abort.signal).then(async (source) => {
      if (this.transfers.get(id) !== t) {
        await source?.close();
        return;
      }
      if (source === undefined) {
        this.options.send({ type: 'file-decline', id, reason: 'declined' });
        return this.finish(t, 'declined', { declineReason: 'declined' });
      }
      t.source = source;
      if (source.size > this.options.maxFileBytes) {
        this.options.send({ type: 'file-decline', id, reason: 'too-large' });
        return this.finish(t, 'declined', { declineReason: 'too-large' });
      }
      t.name = source.name;
      t.size = source.size;
      t.meter = new ProgressMeter(source.size, this.now);
      // The customer chose: that is the consent. The technician accepts its own request's answer.
      t.state = 'offered';
      this.options.send({ type: 'file-offer', id, name: source.name, size: source.size });
      this.tellProgress(t);
    }, () => {
      if (this.transfers.get(id) !== t) return;
      this.options.send({ type: 'file-decline', id, reason: 'unavailable' });
      void this.finish(t, 'failed');
    });
  }

  private onAccept(id: number): void {
    const t = this.transfers.get(id);
    if (t === undefined) return;
    if (t.kind !== 'send' || t.state !== 'offered') return this.refuse(t, 'an accept of nothing offered');
    t.state = 'sending';
    t.hasher = this.options.host.createHasher();
    this.pump();
  }

  private onDecline(id: number, reason: FileDeclineReason): void {
    const t = this.transfers.get(id);
    if (t === undefined) return;
    // The customer declines an offer, or picks nothing for a request: either way nothing comes.
    const pending = (t.kind === 'send' && t.state === 'offered') || (t.kind === 'receive' && t.state === 'requested');
    if (!pending) return this.refuse(t, 'a decline after the transfer began');
    void this.finish(t, 'declined', { declineReason: reason });
  }

  /** The receiver, back after a drop, has the first `offset` bytes: go on from there. */
  private onResume(id: number, offset: number): void {
    const t = this.transfers.get(id);
    if (t === undefined) return;
    if (t.kind !== 'send' || (t.state !== 'sending' && t.state !== 'ending')) return this.refuse(t, 'a resume of nothing sent');
    if (offset > t.sent || offset < t.acked) return this.refuse(t, 'a resume from bytes never sent');
    t.waitingResume = false;
    if (offset < t.sent) {
      // Chunks were lost with the connection: send them again (and the end after them).
      t.sent = offset;
      t.state = 'sending';
    }
    this.pump();
  }

  private onAck(id: number, received: number): void {
    const t = this.transfers.get(id);
    if (t === undefined) return;
    if (t.kind !== 'send' || (t.state !== 'sending' && t.state !== 'ending')) return this.refuse(t, 'an acknowledgement of nothing sent');
    if (received > t.sent || received < t.acked) return this.refuse(t, 'an acknowledgement of bytes never sent');
    t.acked = received;
    if (t.meter.update(received)) this.tellProgress(t);
    this.pump();
  }

  private onSaved(id: number): void {
    const t = this.transfers.get(id);
    if (t === undefined) return;
    if (t.kind !== 'send' || t.state !== 'ending') return this.refuse(t, 'saved before the end');
    t.meter.update(t.size);
    void this.finish(t, 'sent');
  }

  private onCancel(id: number, reason: FileCancelReason): void {
    const t = this.transfers.get(id);
    if (t === undefined) return;
    const outcome: TransferOutcome = reason === 'cancelled' ? 'cancelled-by-peer' : reason;
    void this.finish(t, outcome);
  }

  /** Sends what the window and the pace allow, one read at a time per transfer. */
  private pump(): void {
    if (this.closed || this.pumpTimer !== undefined) return;
    for (const t of this.transfers.values()) {
      if (t.kind !== 'send' || t.state !== 'sending' || t.reading || t.waitingResume) continue;
      if (t.sent === t.size) {
        this.end(t);
        continue;
      }
      const length = Math.min(this.chunkBytes, t.size - t.sent);
      if (t.sent + length - t.acked > this.windowBytes) continue;
      const waitMs = this.nextChunkAtMs - this.now();
      if (waitMs > 0) {
        this.pumpTimer = this.timers.setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, Math.ceil(waitMs));
        return;
      }
      this.nextChunkAtMs = Math.max(this.nextChunkAtMs, this.now() - this.chunkIntervalMs * 4) + this.chunkIntervalMs;
      this.readAndSend(t, length);
    }
  }

  private readAndSend(t: Outgoing, length: number): void {
    t.reading = true;
    const offset = t.sent;
    t.source!.read(offset, length).then((bytes) => {
      t.reading = false;
      if (this.transfers.get(t.id) !== t || t.state !== 'sending' || t.waitingResume || t.sent !== offset) return this.pump();
      if (bytes.length !== length) throw new Error('the file changed while it was sent');
      if (offset + length > t.hashedUpTo) {
        t.hasher!.update(bytes.subarray(t.hashedUpTo - offset));
        t.hashedUpTo = offset + length;
      }
      t.sent += length;
      this.options.sendChunk(t.id, offset, bytes);
      this.pump();
    }).catch((error: unknown) => {
      t.reading = false;
      if (this.transfers.get(t.id) !== t) return;
      this.warn(`could not read a file being sent: ${String(error)}`);
      this.options.send({ type: 'file-cancel', id: t.id, reason: 'failed' });
      void this.finish(t, 'failed');
    });
  }

  private end(t: Outgoing): void {
    t.state = 'ending';
    this.options.send({ type: 'file-end', id: t.id, sha256: encodeBase64Url(t.hasher!.digest()) });
  }

  // ---- both ----------------------------------------------------------------------

  /** The other side broke this transfer's rules: it ends, there and here; the session goes on. */
  private refuse(t: Transfer, detail: string): void {
    this.warn(`file transfer refused: ${detail}`);
    this.options.send({ type: 'file-cancel', id: t.id, reason: 'refused' });
    void this.finish(t, 'refused');
  }

  /** Over: forget it, free what it held (partial file deleted, source closed), tell the screen. */
  private async finish(t: Transfer, outcome: TransferOutcome, detail?: { savedAs?: string; declineReason?: FileDeclineReason }): Promise<void> {
    if (this.transfers.get(t.id) !== t) return;
    this.transfers.delete(t.id);
    t.abort.abort();
    const info = this.info(t);
    try {
      if (t.kind === 'send') {
        const source = t.source;
        t.source = undefined;
        await source?.close();
      } else {
        t.failed = true;
        const sink = t.sink;
        t.sink = undefined;
        // Writes still queued find the transfer gone and do nothing; the file goes once the last one is done.
        await t.writes.catch(() => undefined);
        if (sink !== undefined && outcome !== 'saved') await sink.discard();
      }
    } catch (error) {
      this.warn(`could not free a finished transfer: ${String(error)}`);
    }
    this.options.host.onFinished?.(info, outcome, detail);
    this.pump();
  }

  private outgoing(id: number, state: Outgoing['state'], source: FileSource | undefined): Outgoing {
    const t: Outgoing = {
      kind: 'send', id, state, source, name: source?.name ?? '', size: source?.size ?? 0, sent: 0, acked: 0, hashedUpTo: 0, waitingResume: false, reading: false,
      hasher: undefined, meter: new ProgressMeter(source?.size ?? 0, this.now), abort: new AbortController(),
    };
    this.transfers.set(id, t);
    return t;
  }

  private incoming(id: number, state: Incoming['state'], name: string, size: number): Incoming {
    return {
      kind: 'receive', id, state, sink: undefined, name, size, received: 0, written: 0, ackedUpTo: 0, writes: Promise.resolve(),
      hasher: undefined, meter: new ProgressMeter(size, this.now), abort: new AbortController(), failed: false, resyncing: false, resumed: false,
    };
  }

  private info(t: Transfer): TransferInfo {
    return { id: t.id, direction: t.kind, name: t.name, size: t.size, progress: t.meter.progress };
  }

  private tellProgress(t: Transfer): void {
    this.options.host.onProgress?.(this.info(t));
  }

  private newId(): number {
    this.lastId = this.lastId >= MAX_TRANSFER_ID ? MAX_TRANSFER_ID : this.lastId + 1;
    return this.lastId;
  }

  /** The customer's side: a transfer number the technician has not used before. */
  private takeNewId(id: number): boolean {
    if (id <= this.lastId) return false;
    this.lastId = id;
    return true;
  }

  private warn(detail: string): void {
    this.options.warn?.(detail);
  }
}
