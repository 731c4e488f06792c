import {
  CloseCode, decodeCursorImage, encodeFileChunk, encodeFrameAck, Errors, isChatText, isClipboardText, PeerFeature, relayEndedSession, ResumeKeeper,
  type ClipboardMessage, type ControlMessage, type CursorImage, type CursorPosMessage, type FrameMessage, type InputEvent, type ScreenInfoMessage,
  type SealedMessage, type WelcomeMessage,
} from '../../../protocol';
import { backoffDelayMs, type BackoffOptions } from '../../../common/backoff';
import type { SealableMessage } from '../../../common/e2e/record-layer';
import type { FileSource } from '../../../common/files/file-io';
import { FileTransfers, type TransferHost } from '../../../common/files/file-transfers';
import { RelayTransport } from '../transport/relay-transport';
import { joinMessage, mustSeal } from './access-code';
import { classifyClose, type SessionPhase } from './close-outcome';
import { E2eGuard, type Checked, type PeerNews } from './e2e-guard';
import { webCrypto, type E2eCrypto } from './sealed-link';
import { SerialInbox } from './serial-inbox';
import { SessionStateMachine, type ReconnectingSide, type SessionSnapshot, type VerificationFailure } from './session-state';

/** Timer functions, injectable so tests can run retries without waiting. */
export interface SessionTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Where to connect and as whom; the rest has defaults. */
export interface TechnicianSessionOptions {
  /** `ws(s)://host/ws` (see `relayWebSocketUrl`). */
  readonly url: string;
  /**
   * Every digit the customer read out: six (an older app, in clear) or six plus the
   * secret ones (end-to-end encrypted). Only the first six go to the relay.
   */
  readonly code: string;
  /** The technician's display name, shown to the customer in the consent question (≤ 64). */
  readonly name: string;
  /** Application name and version for `hello`. */
  readonly app: string;
  readonly backoff?: BackoffOptions;
  readonly createSocket?: (url: string) => WebSocket;
  readonly timers?: SessionTimers;
  readonly random?: () => number;
  /** WebCrypto by default; tests may pass Node's. Looked up only for a code that seals. */
  readonly crypto?: () => E2eCrypto;
  /**
   * Files (sealed sessions only): how this page keeps a file it asked for, hashes, and hears
   * of progress. Absent, the page names no `files` and offers none.
   */
  readonly files?: TransferHost;
  /** Largest file this page sends or takes (the relay's own limit applies too). */
  readonly maxFileBytes?: number;
  /** File chunks a second (the relay's message rate is the bound); tests and benchmarks may change it. */
  readonly fileChunksPerSecond?: number;
  /**
   * The page draws FRAME format 3, deflated RGB (its pipeline decodes with decodeRect):
   * it names `deflated-rgb`, and small changes come lossless. Absent, only JPEG and PNG come.
   */
  readonly drawsDeflatedRgb?: boolean;
}

/** What a session reports besides state changes (those go through the state machine). */
export interface TechnicianSessionEvents {
  /** The customer's displays (on pairing and whenever they change). */
  onScreenInfo?(message: ScreenInfoMessage): void;
  /** A decoded frame rectangle of the live session. */
  onFrame?(frame: FrameMessage, messageBytes: number): void;
  /** The relay refused input because the customer shares view-only. */
  onInputRefused?(): void;
  /** A frame the codec refused (dropped); a full refresh is worth asking for. */
  onBadFrame?(detail: string): void;
  /** A new shape of the customer's pointer, checked (sealed sessions only: the page asks for it in `introduce`). */
  onCursorShape?(image: CursorImage): void;
  /** Where the customer's pointer is now, and with which shape. */
  onCursorPos?(message: CursorPosMessage): void;
  /** A shape refused (too big, malformed): dropped alone, the session goes on. */
  onCursorRefused?(detail: string): void;
  /** A chat message from the customer, exactly as typed. */
  onChat?(text: string): void;
  /** The customer's clipboard text (asked for, or followed), or why there is none. */
  onClipboard?(message: ClipboardMessage): void;
}

/** Image quality asked of the client: `auto` adapts to lag, `fixed` is a JPEG quality 1–100. */
export type QualitySetting = { readonly mode: 'auto' } | { readonly mode: 'fixed'; readonly value: number };

/**
 * 0.5, 1, 2, 4, 8 s, then give up: about 15 s of trying, enough to ride out a relay
 * restart, while a technician is waiting in front of the page to be told.
 */
const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialDelayMs: 500, maxDelayMs: 8000, factor: 2, jitter: 0.2, maxRetries: 5 });

const DEFAULT_TIMERS: SessionTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * One attempt to help a customer: opens the socket, joins with the code, follows the
 * relay's answers through the {@link SessionStateMachine}, and carries input, quality
 * and acknowledgements while connected. A session is used once; the next code gets a
 * new one (the state machine can be shared, so the UI keeps one).
 *
 * End-to-end encryption (PROTOCOL.md §12): when the relay answers the join with
 * `e2e-start`, the {@link E2eGuard} agrees on keys from the whole code, and from then on
 * everything this side says to the customer's app is sealed and everything it hears is
 * opened. Each check is this page's own, never the relay's word: a failed agreement, a
 * record that does not open, a plain peer message in a sealed session, or a session in
 * clear for a code that must seal ends the session with `verification-failed`, after
 * telling the relay (`e2e-failed`, or `bye` in clear).
 */
export class TechnicianSession {
  private transport: RelayTransport | undefined;
  private phase: SessionPhase = 'joining';
  private lastErrorCode: string | undefined;
  private sentBye = false;
  private finished = false;
  private retries = 0;
  private retryTimer: unknown;
  private inputSeq = 0;
  private viewOnly = false;
  private readonly timers: SessionTimers;
  private readonly e2e: E2eGuard;
  /** What the relay routes beyond version 2's first types (its `welcome`). */
  private relayFeatures: readonly string[] = [];
  /** File bytes a session may move through this relay (its `welcome`). */
  private relayMaxFileBytes = 0;
  /** This session's file transfers, made when the session connects with a customer who takes files. */
  private fileTransfers: FileTransfers | undefined;
  /**
   * Everything the socket delivers goes through here: opening and agreeing are
   * asynchronous (WebCrypto), and nothing that came after them may overtake them.
   */
  private readonly inbox = new SerialInbox((error) => this.onInternalError(error));
  /** A session that can resume (PROTOCOL.md §14): its credential, what the customer has not acknowledged. */
  private resume: ResumeKeeper | undefined;
  /** This page's socket dropped and a new one is coming back into the session (no `resumed` yet). */
  private resuming = false;

  constructor(
    private readonly options: TechnicianSessionOptions,
    private readonly events: TechnicianSessionEvents = {},
    readonly machine: SessionStateMachine = new SessionStateMachine(),
  ) {
    this.timers = options.timers ?? DEFAULT_TIMERS;
    this.e2e = new E2eGuard({
      code: options.code,
      name: options.name,
      crypto: options.crypto ?? webCrypto,
      extraFeatures: [
        ...(options.files !== undefined ? [PeerFeature.FILES] : []),
        ...(options.drawsDeflatedRgb === true ? [PeerFeature.DEFLATED_RGB] : []),
      ],
      output: {
        send: (message) => (message.type === 'sealed' ? this.sendSealed(message) : this.transport?.send(message) ?? false),
        sendBinary: (bytes) => this.transport?.sendBinary(bytes) ?? false,
      },
      onSealFailed: (error) => this.onInternalError(error),
    });
  }

  get snapshot(): SessionSnapshot {
    return this.machine.snapshot;
  }

  /** Whether input may be sent now (connected and not view-only). */
  get canSendInput(): boolean {
    return this.machine.state === 'connected' && !this.viewOnly && !this.finished;
  }

  /** Whose connection is being waited for, while a side resumes (undefined when both are here). */
  get reconnecting(): ReconnectingSide | undefined {
    const s = this.machine.snapshot;
    return s.state === 'connected' ? s.reconnecting : undefined;
  }

  /** Starts connecting. */
  start(): void {
    this.machine.transition({ state: 'connecting', attempt: 1 });
    if (mustSeal(this.options.code) && !this.cryptoAvailable()) {
      // Joining would spend the customer's code on a session this page cannot seal.
      this.finish({ state: 'verification-failed', reason: 'unavailable' });
      return;
    }
    this.openSocket();
  }

  /**
   * The technician leaves: says `bye` (so the customer is told at once) and closes.
   * While still connecting or waiting for approval this is a cancel and leads back to
   * `idle`; once connected it ends the session.
   */
  disconnect(): void {
    if (this.finished) return;
    const wasConnected = this.machine.state === 'connected';
    if (this.transport?.isReady) {
      this.sentBye = true;
      this.transport.send({ type: 'bye', reason: wasConnected ? 'technician disconnected' : 'technician cancelled' });
    }
    this.finish(wasConnected ? { state: 'ended', by: 'technician' } : { state: 'idle' });
  }

  /** Sends one input event (sealed when the session seals); false (and nothing sent) unless {@link canSendInput}. */
  sendInput(event: InputEvent): boolean {
    if (!this.canSendInput) return false;
    const sent = this.sendToPeer({ type: 'input', seq: this.inputSeq, event });
    // seq counts every event from 0 and wraps like the protocol's uint32 (§4.3 `input`).
    if (sent) this.inputSeq = (this.inputSeq + 1) >>> 0;
    return sent;
  }

  /** Asks the client for an image quality. */
  setQuality(quality: QualitySetting): boolean {
    if (this.machine.state !== 'connected') return false;
    return this.sendToPeer(quality.mode === 'auto' ? { type: 'quality', mode: 'auto' } : { type: 'quality', mode: 'fixed', value: quality.value });
  }

  /**
   * True while connected to a customer's app and through a relay that both named `chat`
   * (sealed sessions only): the page shows its chat then, and only then sends one.
   */
  get canChat(): boolean {
    return this.machine.state === 'connected' && this.e2e.customerCan(PeerFeature.CHAT) && this.relayFeatures.includes(PeerFeature.CHAT);
  }

  /**
   * True while connected, with control, to a customer's app and through a relay that both
   * named `clipboard`: the page offers the clipboard buttons then.
   */
  get canUseClipboard(): boolean {
    return this.canSendInput && this.e2e.customerCan(PeerFeature.CLIPBOARD) && this.relayFeatures.includes(PeerFeature.CLIPBOARD);
  }

  /**
   * True while connected to a customer's app and through a relay that both named `files`,
   * and this page was given a file host: the page offers sending and asking for files.
   */
  get canTransferFiles(): boolean {
    return this.machine.state === 'connected' && this.options.files !== undefined
      && this.e2e.customerCan(PeerFeature.FILES) && this.relayFeatures.includes(PeerFeature.FILES);
  }

  /** Largest file that may be sent or asked for now (this page's and the relay's limits). */
  get maxFileBytes(): number {
    return Math.min(this.options.maxFileBytes ?? Number.MAX_SAFE_INTEGER, this.relayMaxFileBytes);
  }

  /** Offers a file to the customer; its transfer number, or undefined (no files here, too many at once, too big). */
  sendFile(source: FileSource): number | undefined {
    return this.transfers()?.offer(source);
  }

  /** Asks the customer to pick a file and send it; its transfer number, or undefined. */
  requestFile(): number | undefined {
    return this.transfers()?.request();
  }

  /** Cancels a transfer on both sides at once; nothing is kept. */
  cancelFile(id: number): boolean {
    return this.fileTransfers?.cancel(id) ?? false;
  }

  /** Transfers under way. */
  get fileTransfersActive(): number {
    return this.fileTransfers?.activeCount ?? 0;
  }

  private transfers(): FileTransfers | undefined {
    if (!this.canTransferFiles) return undefined;
    this.fileTransfers ??= new FileTransfers({
      role: 'technician', send: (message) => { this.sendToPeer(message); }, host: this.options.files!,
      // Sealed binary, sent now or not at all: after a drop the customer's side says where to go on from.
      sendChunk: (id, offset, data) => { if (!this.finished && !this.resuming) this.e2e.sendBinary(encodeFileChunk(id, offset, data)); },
      maxFileBytes: this.maxFileBytes,
      ...(this.options.fileChunksPerSecond !== undefined ? { chunksPerSecond: this.options.fileChunksPerSecond } : {}),
      timers: this.timers,
    });
    return this.fileTransfers;
  }

  /** Puts `text` in the customer's clipboard; false (nothing sent) without the clipboard or for a text it cannot carry. */
  sendClipboard(text: string): boolean {
    if (!this.canUseClipboard || !isClipboardText(text)) return false;
    return this.sendToPeer({ type: 'clipboard', text });
  }

  /** Asks for the customer's clipboard text (answered with onClipboard), and with `follow` for each change. */
  requestClipboard(follow: boolean): boolean {
    if (!this.canUseClipboard) return false;
    return this.sendToPeer({ type: 'clipboard-request', follow });
  }

  /**
   * True while connected to a customer's app and through a relay that both named
   * `recording`: only a customer who is shown "this session is being recorded" may be recorded.
   */
  get canRecord(): boolean {
    return this.machine.state === 'connected' && this.e2e.customerCan(PeerFeature.RECORDING) && this.relayFeatures.includes(PeerFeature.RECORDING);
  }

  /** Tells the customer a recording starts (before the first frame is recorded) or stopped. */
  announceRecording(recording: boolean): boolean {
    if (!this.canRecord) return false;
    return this.sendToPeer(recording ? { type: 'recording-started' } : { type: 'recording-stopped' });
  }

  /** Sends one chat message; false (nothing sent) without a chat, or for a text a chat cannot carry. */
  sendChat(text: string): boolean {
    if (!this.canChat || !isChatText(text)) return false;
    return this.sendToPeer({ type: 'chat', text });
  }

  /**
   * Asks the customer's side to stream display `id` of its last `screen-info` (0: every
   * monitor). Only in a sealed session: the customer's side lists several displays only
   * to a page that said, sealed, that it can pick one.
   */
  selectDisplay(id: number): boolean {
    if (this.machine.state !== 'connected' || !this.e2e.sealed) return false;
    return this.sendToPeer({ type: 'select-display', id });
  }

  /** Asks the client for a full update (after a frame was lost or could not be drawn). */
  requestRefresh(): boolean {
    if (this.machine.state !== 'connected') return false;
    return this.sendToPeer({ type: 'refresh', reason: 'requested' });
  }

  /** Acknowledges update `seq` once its LAST rectangle is drawn (PROTOCOL.md §7). */
  acknowledge(seq: number, captureTimeMs: number): boolean {
    if (this.machine.state !== 'connected' || this.finished || this.transport?.isReady !== true) return false;
    return this.e2e.sendBinary(encodeFrameAck(seq, captureTimeMs));
  }

  /** Bytes waiting in the socket (input is light; a growing number means the uplink is stuck). */
  get bufferedAmount(): number {
    return this.transport?.bufferedAmount ?? 0;
  }

  private sendToPeer(message: SealableMessage): boolean {
    // In a session that can resume, what is said while a side is away is kept and delivered on its return.
    if (this.finished || (this.transport?.isReady !== true && this.resume === undefined)) return false;
    return this.e2e.send(message);
  }

  /**
   * Every sealed record goes out here. In a session that can resume it is kept until the
   * customer acknowledges it, and goes now only if this page is in the session (otherwise
   * with the others once back).
   */
  private sendSealed(record: SealedMessage): boolean {
    const resume = this.resume;
    if (resume === undefined) return this.transport?.send(record) ?? false;
    if (!resume.keep(record)) {
      this.transport?.send({ type: 'bye', reason: 'resend-overflow' });
      this.sentBye = true;
      this.finish({ state: 'ended', by: 'technician', reason: 'error', errorCode: 'resend-overflow' });
      return false;
    }
    if (!this.resuming) this.transport?.send(record);
    return true;
  }

  private cryptoAvailable(): boolean {
    try {
      (this.options.crypto ?? webCrypto)();
      return true;
    } catch {
      return false;
    }
  }

  private openSocket(): void {
    this.lastErrorCode = undefined;
    this.transport = new RelayTransport({
      url: this.options.url,
      app: this.options.app,
      ...(this.options.createSocket ? { createSocket: this.options.createSocket } : {}),
    }, {
      onReady: (welcome) => {
        this.relayFeatures = welcome.features ?? [];
        this.relayMaxFileBytes = welcome.maxFileBytes ?? 0;
        if (this.resuming) this.askToResume(welcome);
        else this.transport?.send(joinMessage(this.options.code, this.options.name));
      },
      onControl: (message) => this.inbox.push(() => this.onControl(message)),
      onFrame: (frame, bytes) => this.inbox.push(() => this.onPlainFrame(frame, bytes)),
      onSealedBinary: (bytes) => this.inbox.push(() => this.onSealedBinary(bytes)),
      onMalformed: (kind, detail) => this.inbox.push(() => this.onMalformed(kind, detail)),
      // Behind whatever is still being opened, so the `error` that explains a close is read first.
      onClose: (closeCode) => this.inbox.push(() => this.onClose(closeCode)),
    });
    this.transport.open();
  }

  private onControl(message: ControlMessage): void | Promise<void> {
    if (this.finished) return;
    switch (message.type) {
      case 'e2e-start':
      case 'e2e-share':
      case 'e2e-confirm': {
        // An agreement starts only in answer to the join, and spends the code: no retry from then on.
        const mayStart = this.phase === 'joining';
        if (message.type === 'e2e-start' && mayStart) this.phase = 'agreeing';
        return this.settle(this.e2e.agree(message, mayStart), () => undefined);
      }
      case 'sealed': {
        // After a resume the customer's app sends again what this page may have: dropped by number.
        const expected = this.e2e.expectedText;
        if (this.resume !== undefined && expected !== undefined && this.resume.inbound.admit(message.n, expected) === 'drop') return;
        return this.settle(this.e2e.openText(message), (news) => {
          const next = this.e2e.expectedText;
          if (this.resume !== undefined && next !== undefined) this.resume.acks.received(next);
          if (news !== undefined) this.onPeerNews(news);
        });
      }
      case 'resume-token':
        return this.onResumeCredential(message.token, message.graceMs);
      case 'resumed':
        return this.onResumed();
      case 'peer-away':
        return this.onCustomerAway(true);
      case 'peer-back':
        return this.onCustomerAway(false);
      case 'ack':
        this.resume?.outbox.acknowledge(message.n);
        return;
      case 'waiting-consent':
        if (!this.check(this.e2e.mayGoOn())) return;
        this.phase = 'waiting-consent';
        this.machine.tryTransition({ state: 'waiting-consent', timeoutMs: message.timeoutMs, encrypted: this.e2e.sealed });
        return;
      case 'paired':
        if (!this.check(this.e2e.mayGoOn())) return;
        this.phase = 'connected';
        this.viewOnly = message.viewOnly;
        this.inputSeq = 0;
        this.machine.tryTransition({
          state: 'connected', viewOnly: message.viewOnly, peerName: this.e2e.peerName(message.peer.name), encrypted: this.e2e.sealed,
        });
        return;
      case 'peer-left':
        // The relay closes with 4008 next; say so now, so input stops at once.
        this.finish({ state: 'ended', by: 'customer', reason: message.reason });
        return;
      case 'bye':
        this.finish({ state: 'ended', by: 'relay' });
        return;
      case 'error':
        this.lastErrorCode = message.code;
        if (message.code === Errors.RESUME_EXPIRED.code || message.code === Errors.RESUME_INVALID.code || message.code === Errors.RESUME_REPLACED.code) {
          // The session could not wait any longer (or someone else took this page's place): over for good.
          this.finish({ state: 'ended', by: 'relay', errorCode: message.code });
          return;
        }
        if (message.code === Errors.SESSION_VIEW_ONLY.code) this.events.onInputRefused?.();
        return;
      case 'screen-info':
        if (this.check(this.e2e.plainPeerMessage())) this.events.onScreenInfo?.(message);
        return;
      case 'hello':
      case 'welcome':
      case 'register':
      case 'code':
      case 'join':
      case 'consent-request':
      case 'consent':
      case 'input':
      case 'refresh':
      case 'quality':
      case 'e2e-failed':
      case 'resume':
      case 'introduce':
      case 'cursor-shape':
      case 'cursor-pos':
      case 'select-display':
      case 'chat':
      case 'clipboard':
      case 'clipboard-request':
      case 'recording-started':
      case 'recording-stopped':
      case 'file-offer':
      case 'file-request':
      case 'file-accept':
      case 'file-decline':
      case 'file-resume':
      case 'file-ack':
      case 'file-end':
      case 'file-saved':
      case 'file-cancel':
        // Not for a technician in clear (the cursor travels only sealed); the relay never sends these here. Ignored, not fatal.
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  private onPeerNews(news: PeerNews): void {
    switch (news.type) {
      case 'screen-info':
        this.events.onScreenInfo?.(news);
        return;
      case 'cursor-shape': {
        // Checked here, not by the decoder, so that a bad shape costs only itself.
        const decoded = decodeCursorImage(news);
        if (decoded.ok) this.events.onCursorShape?.(decoded.image);
        else this.events.onCursorRefused?.(decoded.detail);
        return;
      }
      case 'cursor-pos':
        this.events.onCursorPos?.(news);
        return;
      case 'chat':
        // Only in a chat this page offered: a customer's app that did not name it sends none.
        if (this.canChat) this.events.onChat?.(news.text);
        return;
      case 'clipboard':
        if (this.canUseClipboard) this.events.onClipboard?.(news);
        return;
      case 'file-offer':
      case 'file-request':
      case 'file-accept':
      case 'file-decline':
      case 'file-resume':
      case 'file-ack':
      case 'file-end':
      case 'file-saved':
      case 'file-cancel':
        // Only transfers this page began: a customer's app never starts one.
        this.fileTransfers?.handle(news);
        return;
      default: {
        const unreachable: never = news;
        return unreachable;
      }
    }
  }

  private onSealedBinary(bytes: Uint8Array): Promise<void> | void {
    if (this.finished) return;
    return this.settle(this.e2e.openBinary(bytes), (message) => {
      if (message === undefined || this.machine.state !== 'connected') return;
      if (message.kind === 'frame') this.events.onFrame?.(message, bytes.byteLength);
      else this.fileTransfers?.handleChunk(message.id, message.offset, message.data);
    });
  }

  private onPlainFrame(frame: FrameMessage, bytes: number): void {
    if (this.finished || !this.check(this.e2e.plainPeerMessage())) return;
    if (this.machine.state === 'connected') this.events.onFrame?.(frame, bytes);
  }

  private onMalformed(kind: 'text' | 'binary', detail: string): void {
    // Bad text: the transport closes the socket, and the close says the rest.
    if (this.finished || kind !== 'binary' || !this.check(this.e2e.plainPeerMessage())) return;
    this.events.onBadFrame?.(detail);
  }

  /** Waits for an asynchronous check, then goes on with its value unless it failed or the session ended meanwhile. */
  private async settle<T>(pending: Promise<Checked<T>>, then: (value: T) => void): Promise<void> {
    const checked = await pending;
    if (this.finished) return;
    if (this.check(checked)) then(checked.value);
  }

  /** True to go on; otherwise the session has ended for the check's reason. */
  private check<T>(checked: Checked<T>): checked is Extract<Checked<T>, { ok: true }> {
    if (checked.ok) return true;
    this.failE2e(checked.failure);
    return false;
  }

  /**
   * This page's own check failed: tell the relay (an honest one ends the attempt at once,
   * counts it against the guesser and gives the customer a new code; nothing here relies on
   * it) and stop. A session in clear knows no `e2e-failed`, so refusing one says `bye`.
   */
  private failE2e(reason: VerificationFailure): void {
    if (this.finished) return;
    if (reason === 'unsealed') {
      this.transport?.send({ type: 'bye', reason: 'not end-to-end encrypted' });
    } else {
      this.transport?.send({ type: 'e2e-failed', reason: reason === 'incomplete-code' || reason === 'tampered' ? reason : 'mismatch' });
    }
    this.finish({ state: 'verification-failed', reason });
  }

  /** A bug, or a cipher that failed: never leave a half-working sealed session open. */
  private onInternalError(error: unknown): void {
    if (this.finished) return;
    const detail = error instanceof Error ? error.message : String(error);
    this.finish({ state: 'ended', by: 'relay', errorCode: `page: ${detail}`.slice(0, 120) });
  }

  private onClose(closeCode: number): void {
    this.transport = undefined;
    if (this.finished) return;
    if (this.mayResume(closeCode)) {
      this.scheduleResume();
      return;
    }
    const outcome = classifyClose({
      closeCode,
      phase: this.phase,
      sentBye: this.sentBye,
      ...(this.lastErrorCode === undefined ? {} : { lastErrorCode: this.lastErrorCode }),
    });
    if (outcome.retryable) {
      const retry = this.retries + 1;
      const delay = backoffDelayMs(retry, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
      if (delay !== undefined) {
        this.retries = retry;
        this.machine.transition({ state: 'connection-lost', retryInMs: delay, attempt: retry + 1 });
        this.retryTimer = this.timers.setTimeout(this.onRetryTimer, delay);
        return;
      }
    }
    this.finish(outcome.next);
  }

  private readonly onRetryTimer = (): void => {
    this.retryTimer = undefined;
    if (this.finished) return;
    this.machine.transition({ state: 'connecting', attempt: this.retries + 1 });
    this.openSocket();
  };

  // ---- resume (PROTOCOL.md §14) --------------------------------------------------

  /** A credential from the relay: this session can resume, and keeps what it sends until acknowledged. */
  private onResumeCredential(token: string, graceMs: number): void {
    if (!this.e2e.sealed) return; // only a sealed session resumes
    this.resume ??= new ResumeKeeper((n) => { if (!this.resuming) this.transport?.send({ type: 'ack', n }); }, this.timers);
    this.resume.credential(token, graceMs);
  }

  /** This page's own socket dropped in a live session that can resume, within the grace period. */
  private mayResume(closeCode: number): boolean {
    if (this.resume === undefined || this.sentBye || this.phase !== 'connected' || !this.resume.mayResume) return false;
    // The relay said why it ended the socket (it is restarting, the session is too old …): no drop to come back from.
    if (this.lastErrorCode !== undefined && relayEndedSession(this.lastErrorCode)) return false;
    // The relay ended this socket on purpose (the session is over, or the page broke a rule): nothing to come back to.
    return closeCode !== CloseCode.SESSION_ENDED && closeCode !== CloseCode.NORMAL && closeCode !== CloseCode.PROTOCOL_ERROR
      && closeCode !== CloseCode.E2E_FAILED && closeCode !== CloseCode.RESUME_REFUSED;
  }

  private scheduleResume(): void {
    const resume = this.resume!;
    resume.dropped();
    this.resuming = true;
    this.fileTransfers?.connectionLost();
    this.setReconnecting('technician');
    const retry = this.retries + 1;
    const delay = Math.min(backoffDelayMs(retry, { ...(this.options.backoff ?? DEFAULT_BACKOFF), maxRetries: undefined }, this.options.random) ?? 1000, resume.graceMs);
    this.retries = retry;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.finished) return;
      if (!resume.mayResume) {
        this.finish({ state: 'ended', by: 'relay', errorCode: Errors.RESUME_EXPIRED.code });
        return;
      }
      this.openSocket();
    }, delay);
  }

  /** `welcome` on a socket opened to resume: ask, if this relay can; otherwise the session is over. */
  private askToResume(welcome: WelcomeMessage): void {
    const token = this.resume?.currentCredential;
    if (token === undefined || !(welcome.features ?? []).includes(PeerFeature.RESUME)) {
      this.finish({ state: 'ended', by: 'relay', errorCode: Errors.RESUME_EXPIRED.code });
      return;
    }
    this.transport?.send({ type: 'resume', token });
  }

  /** Back in the session: say how far we got and send again what the customer has not acknowledged. */
  private onResumed(): void {
    const resume = this.resume;
    if (!this.resuming || resume === undefined) return;
    this.resuming = false;
    this.retries = 0;
    resume.back();
    resume.inbound.resumed();
    this.setReconnecting(undefined);
    this.catchUp(resume);
    this.fileTransfers?.connectionBack();
  }

  /** The customer's app dropped (the relay waits for it) or came back. */
  private onCustomerAway(away: boolean): void {
    if (this.resume === undefined) return;
    this.setReconnecting(away ? 'customer' : undefined);
    if (!away) this.catchUp(this.resume);
    if (away) this.fileTransfers?.connectionLost();
    else this.fileTransfers?.connectionBack();
  }

  private catchUp(resume: ResumeKeeper): void {
    resume.acks.flush();
    for (const record of resume.outbox.unacknowledged()) this.transport?.send(record);
  }

  /** The same live session, with a side away (or none). */
  private setReconnecting(side: ReconnectingSide | undefined): void {
    const s = this.machine.snapshot;
    if (s.state !== 'connected') return;
    const { reconnecting: _previous, ...rest } = s;
    this.machine.tryTransition(side === undefined ? rest : { ...rest, reconnecting: side });
  }

  private finish(next: SessionSnapshot): void {
    if (this.finished) return;
    this.finished = true;
    this.resume?.stop();
    // Every transfer stops with the session: nothing half-received is kept, files are let go.
    void this.fileTransfers?.close();
    this.fileTransfers = undefined;
    this.resuming = false;
    if (this.retryTimer !== undefined) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    if (!this.machine.tryTransition(next) && next.state !== 'idle') {
      // An answer out of the usual order (a refusal before `waiting-consent`, say) must still
      // leave the UI in a final state, never stuck on "connecting".
      this.machine.tryTransition({ state: 'ended', by: 'relay', errorCode: 'errorCode' in next ? next.errorCode : undefined });
    }
    this.transport?.close(1000, this.sentBye ? 'bye' : '');
  }
}
