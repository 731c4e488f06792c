import {
  encodeFrameAck, Errors,
  type ControlMessage, type FrameMessage, type InputEvent, type ScreenInfoMessage,
} from '../../../protocol';
import { backoffDelayMs, type BackoffOptions } from '../../../common/backoff';
import { RelayTransport } from '../transport/relay-transport';
import { classifyClose, type SessionPhase } from './close-outcome';
import { SessionStateMachine, type SessionSnapshot } from './session-state';

/** Timer functions, injectable so tests can run retries without waiting. */
export interface SessionTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Where to connect and as whom; the rest has defaults. */
export interface TechnicianSessionOptions {
  /** `ws(s)://host/ws` (see `relayWebSocketUrl`). */
  readonly url: string;
  /** The six digits the customer read out. */
  readonly code: string;
  /** The technician's display name, shown to the customer in the consent question (≤ 64). */
  readonly name: string;
  /** Application name and version for `hello`. */
  readonly app: string;
  readonly backoff?: BackoffOptions;
  readonly createSocket?: (url: string) => WebSocket;
  readonly timers?: SessionTimers;
  readonly random?: () => number;
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

  constructor(
    private readonly options: TechnicianSessionOptions,
    private readonly events: TechnicianSessionEvents = {},
    readonly machine: SessionStateMachine = new SessionStateMachine(),
  ) {
    this.timers = options.timers ?? DEFAULT_TIMERS;
  }

  get snapshot(): SessionSnapshot {
    return this.machine.snapshot;
  }

  /** Whether input may be sent now (connected and not view-only). */
  get canSendInput(): boolean {
    return this.machine.state === 'connected' && !this.viewOnly && !this.finished;
  }

  /** Starts connecting. */
  start(): void {
    this.machine.transition({ state: 'connecting', attempt: 1 });
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

  /** Sends one input event; false (and nothing sent) unless {@link canSendInput}. */
  sendInput(event: InputEvent): boolean {
    if (!this.canSendInput || this.transport === undefined) return false;
    const sent = this.transport.send({ type: 'input', seq: this.inputSeq, event });
    // seq counts every event from 0 and wraps like the protocol's uint32 (§4.3 `input`).
    if (sent) this.inputSeq = (this.inputSeq + 1) >>> 0;
    return sent;
  }

  /** Asks the client for an image quality. */
  setQuality(quality: QualitySetting): boolean {
    if (this.machine.state !== 'connected' || this.transport === undefined) return false;
    return this.transport.send(quality.mode === 'auto' ? { type: 'quality', mode: 'auto' } : { type: 'quality', mode: 'fixed', value: quality.value });
  }

  /** Asks the client for a full update (after a frame was lost or could not be drawn). */
  requestRefresh(): boolean {
    if (this.machine.state !== 'connected' || this.transport === undefined) return false;
    return this.transport.send({ type: 'refresh', reason: 'requested' });
  }

  /** Acknowledges update `seq` once its LAST rectangle is drawn (PROTOCOL.md §7). */
  acknowledge(seq: number, captureTimeMs: number): boolean {
    if (this.machine.state !== 'connected' || this.transport === undefined) return false;
    return this.transport.sendBinary(encodeFrameAck(seq, captureTimeMs));
  }

  /** Bytes waiting in the socket (input is light; a growing number means the uplink is stuck). */
  get bufferedAmount(): number {
    return this.transport?.bufferedAmount ?? 0;
  }

  private openSocket(): void {
    this.lastErrorCode = undefined;
    this.transport = new RelayTransport({
      url: this.options.url,
      app: this.options.app,
      ...(this.options.createSocket ? { createSocket: this.options.createSocket } : {}),
    }, {
      onReady: () => {
        this.transport?.send({ type: 'join', code: this.options.code, name: this.options.name });
      },
      onControl: (message) => this.onControl(message),
      onFrame: (frame, bytes) => {
        if (this.machine.state === 'connected') this.events.onFrame?.(frame, bytes);
      },
      onMalformed: (kind, detail) => {
        if (kind === 'binary') this.events.onBadFrame?.(detail);
      },
      onClose: (closeCode) => this.onClose(closeCode),
    });
    this.transport.open();
  }

  private onControl(message: ControlMessage): void {
    if (this.finished) return;
    switch (message.type) {
      case 'waiting-consent':
        this.phase = 'waiting-consent';
        this.machine.tryTransition({ state: 'waiting-consent', timeoutMs: message.timeoutMs });
        return;
      case 'paired':
        this.phase = 'connected';
        this.viewOnly = message.viewOnly;
        this.inputSeq = 0;
        this.machine.tryTransition({ state: 'connected', viewOnly: message.viewOnly, peerName: message.peer.name });
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
        if (message.code === Errors.SESSION_VIEW_ONLY.code) this.events.onInputRefused?.();
        return;
      case 'screen-info':
        this.events.onScreenInfo?.(message);
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
      // Version 2 messages: a relay never sends them to a page that said version 1.
      case 'e2e-start':
      case 'e2e-share':
      case 'e2e-confirm':
      case 'e2e-failed':
      case 'introduce':
      case 'sealed':
        // Not for a technician; the relay never sends these here. Ignored, not fatal.
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  private onClose(closeCode: number): void {
    this.transport = undefined;
    if (this.finished) return;
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

  private finish(next: SessionSnapshot): void {
    if (this.finished) return;
    this.finished = true;
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
