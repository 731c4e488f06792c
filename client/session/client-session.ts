import type { Logger } from 'pino';
import WebSocket from 'ws';
import {
  CloseCode, decodeBinary, decodeText, encodeControl, Errors, UNSEALED_VERSION,
  type ControlMessage, type DisplayInfo,
} from '../../protocol';
import type { ConsentAnswer } from '../contract/ui-events';
import type { InputInjector } from '../input/input-injector';
import { backoffDelayMs, type BackoffOptions } from '../../common/backoff';
import { checkTransition, type AgentState } from './session-state';

/** A technician asks to connect: what the customer is asked. */
export interface ConsentRequest {
  readonly technicianName: string;
  readonly timeoutMs: number;
  /** Aborted when the question no longer stands (the technician left, the relay timed out). */
  readonly signal: AbortSignal;
}

/** The part of a FrameStreamer the session drives. */
export interface StreamerLike {
  start(): void;
  stop(): Promise<void>;
  onAck(seq: number): void;
  requestRefresh(): void;
  setQuality(quality: number | 'auto'): void;
}

export interface ClientSessionDeps {
  /** `ws://` or `wss://` address of the relay's WebSocket endpoint. */
  readonly relayUrl: string;
  /** Shown to the technician (the computer's name). */
  readonly name: string;
  readonly logger: Logger;
  readonly injector: InputInjector;
  readonly consent: (request: ConsentRequest) => Promise<ConsentAnswer>;
  /** A streamer sending FRAME messages through `send`; `wholeFramesOnly` for legacy technicians. */
  readonly createStreamer: (send: (bytes: Uint8Array) => Promise<void>, wholeFramesOnly: boolean) => StreamerLike;
  /** The displays, for `screen-info`. */
  readonly displays: () => Promise<readonly DisplayInfo[]>;
  readonly onState: (state: AgentState) => void;
  readonly backoff?: BackoffOptions;
  /** Ask for a new code by itself when one expires unused (the terminal does; the window asks the user). */
  readonly renewExpiredCode?: boolean;
  /** Options for the WebSocket (certificates …). */
  readonly socketOptions?: WebSocket.ClientOptions;
  /** Version string sent in `hello`, for the relay's logs. */
  readonly app?: string;
}

/**
 * 1 s, 2 s, 4 s … up to 30 s, and never giving up: an agent left running on an unattended
 * machine must come back whenever the network does.
 */
const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 0.2 });

/** Close codes after which trying again cannot help (the agent is out of date or broken). */
const FATAL_CLOSES = new Set<number>([CloseCode.UNSUPPORTED_VERSION, CloseCode.PROTOCOL_ERROR, CloseCode.MESSAGE_TOO_BIG]);

/**
 * The customer's side of one relay connection: asks for a code, asks the customer when
 * a technician joins, streams the screen and applies input while the session lasts,
 * and reconnects with growing back-off when the network drops. Everything received is
 * decoded by the protocol codec; anything malformed is logged and ignored.
 */
export class ClientSession {
  private state: AgentState = { kind: 'idle' };
  private ws: WebSocket | undefined;
  private streamer: StreamerLike | undefined;
  private consentAbort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff: BackoffOptions;
  /** Reconnections since the relay last gave us a code. */
  private reconnects = 0;
  private stopping = false;
  /** Why the socket is being closed by us, so `close` is not taken for a network drop. */
  private closingReason: 'stop' | 'ended' | undefined;
  private technicianName = '';
  /**
   * What the customer answered to the technician now asking, once sent. The agent holds
   * the relay to it: `paired` without a yes ends the session, and a view-only answer stays
   * view-only whatever `paired` says (input is refused here too, not only by the relay).
   */
  private consentGiven: ConsentAnswer | undefined;

  constructor(private readonly deps: ClientSessionDeps) {
    this.backoff = deps.backoff ?? DEFAULT_BACKOFF;
  }

  get current(): AgentState {
    return this.state;
  }

  /** Connects and asks for a code ("Conectar con Soporte"). */
  connect(): void {
    if (this.ws !== undefined) return;
    this.stopping = false;
    this.closingReason = undefined;
    this.setState({ kind: 'connecting' });
    const ws = new WebSocket(this.deps.relayUrl, { perMessageDeflate: false, handshakeTimeout: 10_000, ...this.deps.socketOptions });
    this.ws = ws;
    // Events of a socket we already let go of (replaced or stopped) are ignored.
    ws.on('open', () => { if (this.ws === ws) this.onOpen(); });
    ws.on('message', (data: Buffer, isBinary: boolean) => { if (this.ws === ws) this.onMessage(data, isBinary); });
    ws.on('close', (code: number, reason: Buffer) => { if (this.ws === ws) this.onClose(code, reason); });
    ws.on('error', this.onError);
  }

  /** The screen changed size while sharing: tell the technician. */
  announceDisplays(displays: readonly DisplayInfo[]): void {
    if (this.state.kind !== 'sharing' || displays.length === 0) return;
    const primary = displays.find((d) => d.primary) ?? displays[0]!;
    this.deps.injector.mapper.setCaptureSize(primary.width, primary.height);
    this.send({ type: 'screen-info', displays, streaming: primary.id });
  }

  /** Asks the relay for a fresh code while waiting. */
  newCode(): void {
    if (this.state.kind === 'code') this.send({ type: 'register', name: this.deps.name });
  }

  /**
   * "Stop sharing": ends the session at once from any state; the technician is told by
   * the relay. Input stops before anything else.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearRetry();
    this.consentAbort?.abort();
    this.deps.injector.setMode('off');
    const ws = this.ws;
    this.closingReason = 'stop';
    if (ws && ws.readyState === WebSocket.OPEN) {
      this.send({ type: 'bye', reason: 'stopped' });
      ws.close(CloseCode.NORMAL, 'stopped');
    } else {
      ws?.terminate();
    }
    this.ws = undefined;
    await this.endStreaming();
    if (this.state.kind !== 'ended') this.setState({ kind: 'ended', by: 'customer', reason: 'stopped' });
  }

  // ---- socket events -------------------------------------------------------------

  private onOpen(): void {
    this.consentGiven = undefined;
    // Version 1 until the agent seals (the next step of issue 11).
    this.send({ type: 'hello', version: UNSEALED_VERSION, role: 'client', ...(this.deps.app ? { app: this.deps.app } : {}) });
    this.send({ type: 'register', name: this.deps.name });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const decoded = decodeBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (decoded.ok && decoded.message.kind === 'frame-ack') this.streamer?.onAck(decoded.message.seq);
      else this.deps.logger.warn({ detail: decoded.ok ? 'unexpected frame' : decoded.detail }, 'ignored a binary message');
      return;
    }
    const decoded = decodeText(data.toString('utf8'));
    if (!decoded.ok) {
      this.deps.logger.warn({ errorCode: decoded.error.code, detail: decoded.detail }, 'ignored a malformed message');
      return;
    }
    this.onControl(decoded.message);
  }

  private onClose(code: number, reasonBuffer: Buffer): void {
    const reason = reasonBuffer.toString('utf8');
    this.ws = undefined;
    this.consentAbort?.abort();
    this.deps.injector.setMode('off');
    void this.endStreaming();
    if (this.closingReason === 'stop' || this.stopping) return;
    if (this.closingReason === 'ended' || this.state.kind === 'ended' || this.state.kind === 'failed') return;
    if (code === CloseCode.SESSION_ENDED) {
      this.setState({ kind: 'ended', by: 'technician', reason: reason || 'peer left' });
      return;
    }
    if (FATAL_CLOSES.has(code)) {
      this.setState({ kind: 'failed', code: reason || String(code), message: 'the relay refused this agent' });
      return;
    }
    this.scheduleReconnect(reason || `connection closed (${code})`);
  }

  private readonly onError = (err: Error): void => {
    this.deps.logger.debug({ err: err.message }, 'socket error');
  };

  private onControl(m: ControlMessage): void {
    switch (m.type) {
      case 'welcome':
        return;
      case 'code':
        this.reconnects = 0;
        this.consentAbort?.abort();
        this.consentGiven = undefined;
        return this.setState({ kind: 'code', code: m.code, expiresAt: m.expiresAt, ttlMs: m.ttlMs });
      case 'consent-request':
        return this.askConsent(m.technicianName, m.timeoutMs);
      case 'paired': {
        const given = this.consentGiven;
        this.consentGiven = undefined;
        if (given === undefined || given === 'deny') return this.refuseUnconsentedPairing();
        return void this.startSharing(m.peer.name, m.viewOnly || given === 'view-only', m.peer.wholeFramesOnly);
      }
      case 'input': {
        const outcome = this.deps.injector.inject(m.event);
        if (outcome === 'refused') this.deps.logger.debug({ kind: m.event.kind }, 'input refused (not allowed now)');
        return;
      }
      case 'refresh':
        return this.streamer?.requestRefresh();
      case 'quality':
        return this.streamer?.setQuality(m.mode === 'auto' ? 'auto' : m.value ?? 70);
      case 'peer-left':
        this.closingReason = 'ended';
        void this.endStreaming();
        return this.setState({ kind: 'ended', by: 'technician', reason: m.reason });
      case 'error':
        return this.onRelayError(m.code, m.message);
      case 'bye':
        this.closingReason = 'ended';
        return this.setState({ kind: 'ended', by: 'relay', reason: m.reason ?? 'bye' });
      case 'hello':
      case 'register':
      case 'join':
      case 'waiting-consent':
      case 'consent':
      case 'screen-info':
        this.deps.logger.warn({ type: m.type }, 'ignored a message meant for the relay or the technician');
        return;
      case 'e2e-start':
      case 'e2e-share':
      case 'e2e-confirm':
      case 'e2e-failed':
      case 'introduce':
      case 'sealed':
        // Version 2 messages: a relay never sends them to a peer that said version 1.
        this.deps.logger.warn({ type: m.type }, 'ignored a message of a protocol version this agent did not announce');
        return;
      default: {
        const unreachable: never = m;
        return unreachable;
      }
    }
  }

  private onRelayError(code: string, message: string): void {
    switch (code) {
      case Errors.CONSENT_DENIED.code:
      case Errors.CONSENT_TIMEOUT.code:
        // A fresh code follows right away.
        this.consentAbort?.abort();
        return;
      case Errors.CODE_EXPIRED.code:
        if (this.deps.renewExpiredCode ?? true) {
          // The relay closes this socket; a new one brings a new code.
          const old = this.ws;
          this.ws = undefined;
          old?.close(CloseCode.NORMAL, 'renew');
          this.connect();
          return;
        }
        this.closingReason = 'ended';
        return this.setState({ kind: 'ended', by: 'relay', reason: 'code-expired' });
      case Errors.LIMIT_SERVER_FULL.code:
        return; // the close follows; it is retried with back-off
      default:
        this.deps.logger.warn({ errorCode: code, detail: message }, 'relay reported an error');
    }
  }

  // ---- consent and sharing -------------------------------------------------------

  private askConsent(technicianName: string, timeoutMs: number): void {
    this.consentAbort?.abort();
    const abort = new AbortController();
    this.consentAbort = abort;
    this.technicianName = technicianName;
    this.setState({ kind: 'consent', technicianName, timeoutMs });
    // The relay denies by itself at the timeout; answering later would be refused anyway.
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    this.deps.consent({ technicianName, timeoutMs, signal: abort.signal }).then((answer) => {
      clearTimeout(timer);
      if (abort.signal.aborted) return;
      this.consentGiven = answer;
      this.send({ type: 'consent', granted: answer !== 'deny', viewOnly: answer === 'view-only' });
    }, (err: unknown) => {
      clearTimeout(timer);
      if (!abort.signal.aborted) {
        this.deps.logger.warn({ err: String(err) }, 'consent prompt failed; denying');
        this.consentGiven = 'deny';
        this.send({ type: 'consent', granted: false, viewOnly: false });
      }
    });
  }

  /** A relay that pairs a technician the customer did not accept is not followed: nothing is shared. */
  private refuseUnconsentedPairing(): void {
    this.deps.logger.error('the relay paired a technician the customer did not accept; ending the session');
    this.consentAbort?.abort();
    this.closingReason = 'ended';
    this.send({ type: 'bye', reason: 'no consent' });
    this.ws?.close(CloseCode.NORMAL, 'no consent');
    this.setState({ kind: 'ended', by: 'relay', reason: 'paired-without-consent' });
  }

  private async startSharing(technicianName: string, viewOnly: boolean, wholeFramesOnly: boolean): Promise<void> {
    this.consentAbort = undefined;
    this.technicianName = technicianName || this.technicianName;
    this.deps.injector.setMode(viewOnly ? 'view-only' : 'control');
    this.setState({ kind: 'sharing', technicianName: this.technicianName, viewOnly, since: Date.now() });
    const ws = this.ws;
    if (!ws) return;
    try {
      const displays = await this.deps.displays();
      const primary = displays.find((d) => d.primary) ?? displays[0];
      if (primary) {
        this.deps.injector.mapper.setCaptureSize(primary.width, primary.height);
        this.send({ type: 'screen-info', displays, streaming: primary.id });
      }
    } catch (err) {
      this.deps.logger.warn({ err: String(err) }, 'could not list displays');
    }
    if (this.ws !== ws || this.state.kind !== 'sharing') return;
    this.streamer = this.deps.createStreamer((bytes) => this.sendFrame(ws, bytes), wholeFramesOnly);
    this.streamer.start();
  }

  /** Resolves once the frame left the process, so a slow network slows capture, not memory. */
  private sendFrame(ws: WebSocket, bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (ws.readyState !== WebSocket.OPEN) {
        resolve();
        return;
      }
      ws.send(bytes, { binary: true }, () => resolve());
    });
  }

  private async endStreaming(): Promise<void> {
    const streamer = this.streamer;
    this.streamer = undefined;
    await streamer?.stop();
    await this.deps.injector.releaseAll();
  }

  // ---- reconnection --------------------------------------------------------------

  private scheduleReconnect(reason: string): void {
    this.clearRetry();
    const attempt = this.reconnects + 1;
    const inMs = backoffDelayMs(attempt, this.backoff);
    if (inMs === undefined) {
      // Only with a retry limit, which the agent's defaults do not set. A later connect() starts counting afresh.
      this.reconnects = 0;
      this.setState({ kind: 'failed', code: 'reconnect-gave-up', message: `the relay could not be reached again (${reason})` });
      return;
    }
    this.reconnects = attempt;
    this.setState({ kind: 'reconnecting', inMs, attempt, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopping) this.connect();
    }, inMs);
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private send(message: ControlMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(encodeControl(message));
  }

  private setState(next: AgentState): void {
    checkTransition(this.state.kind, next.kind);
    this.state = next;
    this.deps.onState(next);
  }
}
