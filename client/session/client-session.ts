import type { Logger } from 'pino';
import WebSocket from 'ws';
import {
  CloseCode, decodeBinary, encodeFileChunk, decodeText, encodeControl, Errors, FrameFlag, isChatText, PROTOCOL_VERSION,
  PeerFeature, relayEndedSession, ResumeKeeper, type ControlMessage, type CursorPosMessage, type CursorShapeMessage, type E2eFailureReason,
  type InputEvent, type ScreenInfoMessage, type SealedMessage,
} from '../../protocol';
import { DEFAULT_SECRET_DIGITS } from '../../common/access-code';
import type { SealableMessage } from '../../common/e2e/record-layer';
import { nodeAead } from '../../common/node/node-aead';
import type { SystemClipboard } from '../clipboard/clipboard';
import { ClipboardLink } from '../clipboard/clipboard-link';
import { FileTransfers } from '../../common/files/file-transfers';
import { customerTransferHost, type CustomerFiles } from '../files/customer-files';
import type { CodeNotice, ConsentAnswer } from '../contract/ui-events';
import type { InputInjector } from '../input/input-injector';
import { backoffDelayMs, type BackoffOptions } from '../../common/backoff';
import { SealedAttempt } from './sealed-attempt';
import { drawSecretDigits, secureRandomBytes } from './secret-digits';
import { checkTransition, type AgentState } from './session-state';

/** A technician asks to connect: what the customer is asked. */
export interface ConsentRequest {
  readonly technicianName: string;
  readonly timeoutMs: number;
  /**
   * True: the technician's keys verified end to end and its name came sealed. False: the
   * session would be in clear (an older technician's app, or a relay pretending to be
   * one); the question must say so.
   */
  readonly encrypted: boolean;
  /** The technician signed in to a CompuEasys account of this name: "Técnico verificado de CompuEasys". */
  readonly verified: boolean;
  /** Aborted when the question no longer stands (the technician left, the relay timed out). */
  readonly signal: AbortSignal;
}

/** The part of a CursorStreamer the session drives. */
export interface CursorStreamerLike {
  start(): void;
  stop(): Promise<void>;
}

/** The part of a FrameStreamer the session drives. */
export interface StreamerLike {
  start(): void;
  /** The technician's page draws SCALED frames (and the relay passes them): motion may go at half resolution. */
  allowScaledFrames?(allowed: boolean): void;
  /** The technician's page draws FRAME format 3: small rectangles may go lossless (the relay need not know it). */
  allowDeflatedRgb?(allowed: boolean): void;
  stop(): Promise<void>;
  onAck(seq: number): void;
  requestRefresh(): void;
  setQuality(quality: number | 'auto'): void;
  /** Runs `switchPicture` between two updates, the next one full when it returns true (FrameStreamer.betweenUpdates). */
  betweenUpdates(switchPicture: () => boolean): void;
}

/**
 * The customer's side of the chat (the window, the terminal). Present, the agent says it
 * has a chat (`chat` in its introduction); a chat is open only with a page and a relay
 * that named it too.
 */
export interface ChatHooks {
  /** A message from the technician, exactly as typed. */
  onMessage(text: string): void;
  /** The chat opened (sharing with a technician who can chat) or closed (the session ended). */
  onAvailable(available: boolean): void;
}

/** What `screen-info` carries: the displays and the one streamed. */
export type DisplayChoice = Pick<ScreenInfoMessage, 'displays' | 'streaming'>;

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
  /**
   * A streamer of the customer's pointer, sending through `send`; absent where the system
   * cannot tell (no XFixes). Used only with a technician whose page asked for it.
   */
  readonly createCursorStreamer?: (send: (message: CursorShapeMessage | CursorPosMessage) => void) => CursorStreamerLike;
  /**
   * The displays and the one to stream first, for `screen-info`, when sharing starts.
   * `pickable`: the technician can choose a monitor (its page and the relay named
   * `displays`); otherwise only the whole desktop is listed, as for an older page.
   */
  readonly displays: (pickable: boolean) => Promise<DisplayChoice>;
  /** The chat; absent, the agent has none and says so. */
  readonly chat?: ChatHooks;
  /** The system clipboard (X11 selections); absent, the agent does not offer it. */
  readonly clipboard?: SystemClipboard;
  /**
   * Shows the customer, for as long as it lasts, that the technician records the session.
   * Present, the agent names `recording` (a page records only a customer who can be told);
   * called with false when the recording or the session ends.
   */
  readonly onRecording?: (recording: boolean) => void;
  /** Files from and to the technician (the Downloads folder, the customer's questions); absent, the agent offers none. */
  readonly files?: CustomerFiles;
  /** Streams another display of the last list; undefined (nothing changes) for an id not listed. */
  readonly selectDisplay?: (id: number) => DisplayChoice | undefined;
  readonly onState: (state: AgentState) => void;
  readonly backoff?: BackoffOptions;
  /** Ask for a new code by itself when one expires unused (the terminal does; the window asks the user). */
  readonly renewExpiredCode?: boolean;
  /** Options for the WebSocket (certificates …). */
  readonly socketOptions?: WebSocket.ClientOptions;
  /** Version string sent in `hello`, for the relay's logs. */
  readonly app?: string;
  /** Secret digits added to each code, 3–6 (default 3): the relay's chance to stand in the middle is 10^-n. */
  readonly secretDigits?: number;
  /**
   * Refuse technicians who cannot encrypt end to end (older apps, legacy programs): the
   * customer is not even asked. Off by default while older technician apps are in use.
   */
  readonly requireEndToEnd?: boolean;
}

/**
 * 1 s, 2 s, 4 s … up to 30 s, and never giving up: an agent left running on an unattended
 * machine must come back whenever the network does.
 */
const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 0.2 });

/** Close codes after which trying again cannot help (the agent is out of date or broken). */
const FATAL_CLOSES = new Set<number>([CloseCode.UNSUPPORTED_VERSION, CloseCode.PROTOCOL_ERROR, CloseCode.MESSAGE_TOO_BIG]);

/**
 * The customer's side of one relay connection: asks for a code, agrees on keys with a
 * technician of protocol version 2 and seals everything to it (PROTOCOL.md §12), asks the
 * customer, streams the screen and applies input while the session lasts, and reconnects
 * with growing back-off when the network drops. Everything received is decoded by the
 * protocol codec; anything malformed is logged and ignored, and anything sealed that does
 * not open ends the attempt.
 *
 * Messages are handled one at a time, in arrival order, even where handling waits (the
 * key agreement and opening sealed messages are asynchronous).
 */
export class ClientSession {
  private state: AgentState = { kind: 'idle' };
  private ws: WebSocket | undefined;
  private streamer: StreamerLike | undefined;
  private cursorStreamer: CursorStreamerLike | undefined;
  /** What the relay of this socket said it routes beyond version 2 (`welcome`). */
  private relayFeatures: readonly string[] = [];
  /** File bytes a session may move through this relay (its `welcome`). */
  private relayMaxFileBytes = 0;
  /** This session's file transfers, while its technician may send and ask for files. */
  private fileTransfers: FileTransfers | undefined;
  /** The account the relay says the technician of the last question signed in with. */
  private verifiedName: string | undefined;
  /** A chat is open with this session's technician (see ChatHooks). */
  private chatOpen = false;
  /** The customer is being shown that the session is recorded. */
  private recording = false;
  /** The clipboard, while this session's technician may use it. */
  private clipboardLink: ClipboardLink | undefined;
  /** The technician of this session may pick a monitor (see ClientSessionDeps.displays). */
  private displaysPickable = false;
  private consentAbort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff: BackoffOptions;
  /** Reconnections since the relay last gave us a code. */
  private reconnects = 0;
  private stopping = false;
  /** Why the socket is being closed by us, so `close` is not taken for a network drop. */
  private closingReason: 'stop' | 'ended' | undefined;
  private technicianName = '';
  /** Every digit of the live code: the relay's six and our secret ones. Undefined once burnt. */
  private wholeCode: string | undefined;
  /** The technician trying end to end now (from `e2e-start` until the next code). */
  private attempt: SealedAttempt | undefined;
  /** Why the next code replaces the current one, when this session knows. */
  private nextCodeNotice: CodeNotice | undefined;
  /** Messages of the current socket, handled in order. */
  private inbox: Promise<void> = Promise.resolve();
  /**
   * What the customer answered to the technician now asking, once sent. The agent holds
   * the relay to it: `paired` without a yes ends the session, and a view-only answer stays
   * view-only whatever `paired` says (input is refused here too, not only by the relay).
   */
  private consentGiven: ConsentAnswer | undefined;
  /** A session that can resume (PROTOCOL.md §14): its credential, what the technician has not acknowledged. */
  private resume: ResumeKeeper | undefined;
  /** This socket was opened to resume the session, and the relay has not said `resumed` yet. */
  private resuming = false;
  /** The sharing state to return to after a resume. */
  private sharedAs: Extract<AgentState, { kind: 'sharing' }> | undefined;
  /** Whether the technician's page asked only for whole frames, for the streamer made again after a resume. */
  private wholeFramesOnly = false;
  /** The relay said the technician's page dropped, and it has not said it is back. */
  private technicianAway = false;
  /** When the relay was last heard from (any message, or its ping), and the check of it. */
  private lastHeardMs = 0;
  private livenessTimer: NodeJS.Timeout | undefined;

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
    ws.on('message', (data: Buffer, isBinary: boolean) => { if (this.ws === ws) this.enqueue(ws, data, isBinary); });
    ws.on('close', (code: number, reason: Buffer) => { if (this.ws === ws) this.onClose(code, reason); });
    ws.on('error', this.onError);
    ws.on('ping', () => { if (this.ws === ws) this.lastHeardMs = Date.now(); });
  }

  /** The screen changed size (or its monitors) while sharing: tell the technician. */
  announceDisplays(choice: DisplayChoice): void {
    if (this.state.kind !== 'sharing' || choice.displays.length === 0) return;
    this.sendToTechnician({ type: 'screen-info', ...choice });
  }

  /** Asks the relay for a fresh code while waiting. */
  newCode(): void {
    if (this.state.kind === 'code') this.send({ type: 'register', name: '' });
  }

  /**
   * "Stop sharing": ends the session at once from any state; the technician is told by
   * the relay. Input stops before anything else.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearRetry();
    this.stopLivenessCheck();
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
    // Nothing was shared unless a session was live: the customer cancelled, and is told so.
    const reason = this.state.kind === 'sharing' ? 'stopped' : 'cancelled';
    await this.endStreaming();
    if (this.state.kind !== 'ended') this.setState({ kind: 'ended', by: 'customer', reason });
  }

  // ---- socket events -------------------------------------------------------------

  private onOpen(): void {
    this.inbox = Promise.resolve();
    this.relayFeatures = [];
    // `resume`: a relay that can gives our session a credential, to come back with after a drop.
    this.send({ type: 'hello', version: PROTOCOL_VERSION, role: 'client', ...(this.deps.app ? { app: this.deps.app } : {}), features: [PeerFeature.RESUME] });
    // Coming back into a session: `resume` once `welcome` says the relay can.
    if (this.resuming) return;
    this.consentGiven = undefined;
    // No name for the relay: the technician learns it sealed, once the keys verified.
    this.send({ type: 'register', name: '' });
  }

  /** Handles each message of `ws` after the one before it, whatever either waits for. */
  private enqueue(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    this.lastHeardMs = Date.now();
    this.inbox = this.inbox.then(async () => {
      if (this.ws === ws) await this.onMessage(data, isBinary);
    }).catch((err: unknown) => {
      this.deps.logger.error({ err: String(err) }, 'handling a message failed');
    });
  }

  private async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) {
      await this.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return;
    }
    const decoded = decodeText(data.toString('utf8'));
    if (!decoded.ok) {
      this.deps.logger.warn({ errorCode: decoded.error.code, detail: decoded.detail }, 'ignored a malformed message');
      return;
    }
    await this.onControl(decoded.message);
  }

  private async onBinary(bytes: Uint8Array): Promise<void> {
    const attempt = this.attempt;
    if (attempt !== undefined) {
      // A sealed session: only sealed acknowledgements, and only once the keys verified.
      const channel = attempt.channel;
      if (channel === undefined || bytes.length < 2 || (bytes[1]! & FrameFlag.SEALED) === 0) return this.sealedMessageRefused('plain or early binary message');
      const opened = await channel.opener.openBinary(bytes);
      if (this.attempt !== attempt) return;
      if (!opened.ok) return this.sealedMessageRefused(opened.problem);
      if (opened.message.kind === 'frame-ack') this.streamer?.onAck(opened.message.seq);
      else if (opened.message.kind === 'file-chunk') this.onFileChunk(opened.message.id, opened.message.offset, opened.message.data);
      return;
    }
    const decoded = decodeBinary(bytes);
    if (decoded.ok && decoded.message.kind === 'frame-ack') this.streamer?.onAck(decoded.message.seq);
    else this.deps.logger.warn({ detail: decoded.ok ? 'unexpected frame' : decoded.detail }, 'ignored a binary message');
  }

  private onFileChunk(id: number, offset: number, data: Uint8Array): void {
    if (this.fileTransfers === undefined) return this.deps.logger.warn('ignored a file chunk outside a session with files');
    this.fileTransfers.handleChunk(id, offset, data);
  }

  /** A FILE_CHUNK to the technician: sealed, sent now on this socket, not kept (a receiver asks again after a drop). */
  private sendFileChunk(id: number, offset: number, data: Uint8Array): void {
    const ws = this.ws;
    const channel = this.attempt?.channel;
    if (ws === undefined || channel === undefined || this.resuming) return;
    channel.sealer.sealBinary(encodeFileChunk(id, offset, data)).then((wire) => {
      if (this.ws === ws && ws.readyState === WebSocket.OPEN) ws.send(wire, { binary: true });
    }, (err: unknown) => this.deps.logger.error({ err: String(err) }, 'sealing a file chunk failed'));
  }

  private onClose(code: number, reasonBuffer: Buffer): void {
    const reason = reasonBuffer.toString('utf8');
    this.ws = undefined;
    this.stopLivenessCheck();
    this.consentAbort?.abort();
    this.deps.injector.setMode('off');
    // A session about to resume keeps its chat, recording notice and clipboard (endStreaming).
    const mayResume = this.closingReason !== 'stop' && !this.stopping && this.closingReason !== 'ended'
      && this.state.kind !== 'ended' && this.state.kind !== 'failed' && code !== CloseCode.SESSION_ENDED
      && this.resume !== undefined && (this.state.kind === 'sharing' || this.resuming);
    void this.endStreaming(mayResume ? 'loops' : 'session');
    if (this.closingReason === 'stop' || this.stopping) return;
    if (this.closingReason === 'ended' || this.state.kind === 'ended' || this.state.kind === 'failed') return;
    if (code === CloseCode.SESSION_ENDED) {
      this.setState({ kind: 'ended', by: 'technician', reason: reason || 'peer left' });
      return;
    }
    if (this.resume !== undefined && (this.state.kind === 'sharing' || this.resuming)) {
      this.scheduleResume(reason || `connection closed (${code})`);
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

  private async onControl(m: ControlMessage): Promise<void> {
    switch (m.type) {
      case 'welcome':
        this.relayFeatures = m.features ?? [];
        this.relayMaxFileBytes = m.maxFileBytes ?? 0;
        this.startLivenessCheck(m.heartbeatMs);
        if (this.resuming) this.askToResume();
        return;
      case 'resume-token':
        return this.onResumeCredential(m.token, m.graceMs);
      case 'resumed':
        return this.onResumed(m.viewOnly);
      case 'peer-away':
        return this.onTechnicianAway(true);
      case 'peer-back':
        return this.onTechnicianAway(false);
      case 'ack':
        if (this.resume !== undefined && !this.resume.outbox.acknowledge(m.n)) this.deps.logger.warn('ignored an acknowledgement of records never sent');
        return;
      case 'code':
        return this.onCode(m.code, m.expiresAt, m.ttlMs);
      case 'consent-request':
        this.verifiedName = m.verifiedName;
        return this.onConsentRequest(m.technicianName, m.timeoutMs);
      case 'paired': {
        const given = this.consentGiven;
        this.consentGiven = undefined;
        if (given === undefined || given === 'deny') return this.refuseUnconsentedPairing();
        const attempt = this.attempt;
        // Sealed: the name is the one the technician gave under the keys, not the relay's.
        const technicianName = attempt !== undefined ? attempt.technicianName ?? '' : m.peer.name;
        return void this.startSharing(technicianName, m.viewOnly || given === 'view-only', m.peer.wholeFramesOnly, attempt !== undefined);
      }
      case 'input':
        // In clear only from a technician that cannot seal; a sealed session takes it sealed only.
        if (this.attempt !== undefined) return this.sealedMessageRefused('input in clear');
        return this.applyInput(m.event);
      case 'refresh':
        // Also the relay's own (reason dropped): in clear in every session, and harmless.
        return this.streamer?.requestRefresh();
      case 'quality':
        if (this.attempt !== undefined) return this.sealedMessageRefused('quality in clear');
        return this.streamer?.setQuality(m.mode === 'auto' ? 'auto' : m.value ?? 70);
      case 'e2e-start':
      case 'e2e-share':
      case 'e2e-confirm':
        return this.onHandshake(m);
      case 'sealed':
        return this.onSealed(m);
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
      case 'resume':
      case 'waiting-consent':
      case 'consent':
      case 'screen-info':
      case 'e2e-failed':
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
        // e2e-failed goes to the relay; introduce, select-display, chat and clipboard only ever travel sealed; the cursor is ours to send.
        this.deps.logger.warn({ type: m.type }, 'ignored a message meant for the relay or the technician');
        return;
      default: {
        const unreachable: never = m;
        return unreachable;
      }
    }
  }

  private onRelayError(code: string, message: string): void {
    // The relay ended the session itself (it is restarting, say): the close that follows is no drop to resume.
    if (this.resume !== undefined && !this.resuming && relayEndedSession(code)) this.forgetResume();
    switch (code) {
      case Errors.CONSENT_DENIED.code:
      case Errors.CONSENT_TIMEOUT.code:
        // A fresh code follows right away.
        this.consentAbort?.abort();
        return;
      case Errors.E2E_FAILED.code:
        if (this.state.kind === 'sharing') {
          // The technician found what we sealed altered: the relay ends the session.
          this.closingReason = 'ended';
          void this.endStreaming();
          return this.setState({ kind: 'ended', by: 'relay', reason: 'e2e-tampered' });
        }
        // The technician could not verify us (or took too long): this code is spent, a fresh one follows.
        this.consentAbort?.abort();
        this.burnCode();
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
      case Errors.RESUME_INVALID.code:
      case Errors.RESUME_EXPIRED.code:
      case Errors.RESUME_REPLACED.code:
        // The session could not be resumed (or someone else resumed it): it is over.
        return this.endSession(code === Errors.RESUME_EXPIRED.code ? 'resume-expired' : 'resume-refused');
      default:
        this.deps.logger.warn({ errorCode: code, detail: message }, 'relay reported an error');
    }
  }

  // ---- codes, the key agreement and sealed messages ------------------------------

  /** A new code from the relay: new secret digits with it, and any earlier attempt is over. */
  private onCode(routingCode: string, expiresAt: number, ttlMs: number): void {
    this.reconnects = 0;
    this.consentAbort?.abort();
    this.consentGiven = undefined;
    this.attempt = undefined;
    this.wholeCode = routingCode + drawSecretDigits(this.deps.secretDigits ?? DEFAULT_SECRET_DIGITS);
    const notice = this.nextCodeNotice;
    this.nextCodeNotice = undefined;
    this.setState({ kind: 'code', code: this.wholeCode, expiresAt, ttlMs, ...(notice ? { notice } : {}) });
  }

  private async onHandshake(m: Extract<ControlMessage, { type: 'e2e-start' | 'e2e-share' | 'e2e-confirm' }>): Promise<void> {
    if (m.type === 'e2e-start') {
      // One attempt per code: a second start, or one for a burnt code, is refused.
      if (this.attempt !== undefined || this.wholeCode === undefined || this.state.kind !== 'code') return this.verificationFailed('mismatch');
      this.attempt = new SealedAttempt(this.wholeCode, nodeAead, secureRandomBytes);
    }
    const attempt = this.attempt;
    if (attempt === undefined) return this.verificationFailed('mismatch');
    const step = await attempt.receive(m);
    if (this.attempt !== attempt) return;
    if (step.kind === 'failed') return this.verificationFailed(step.reason);
    for (const message of step.send) this.send(message);
    if (step.kind === 'verified') {
      // Only now, with the technician verified, does anything of ours go out sealed; with
      // our name, what we can take beyond version 2 (the page offers a chat only if we say so).
      this.sendToTechnician({ type: 'introduce', name: this.deps.name, features: this.ownFeatures() });
      this.askIfReady(attempt);
    }
  }

  private async onSealed(m: SealedMessage): Promise<void> {
    const attempt = this.attempt;
    const channel = attempt?.channel;
    if (attempt === undefined || channel === undefined) {
      // Nothing sealed can come before our keys verified, nor in a session in clear.
      if (attempt !== undefined) return this.sealedMessageRefused('sealed before the keys verified');
      this.deps.logger.warn('ignored a sealed message in a session in clear');
      return;
    }
    // After a resume the technician sends again what we may already have: dropped by number.
    if (this.resume?.inbound.admit(m.n, channel.opener.expectedText) === 'drop') return;
    const opened = await channel.opener.openText(m);
    if (this.attempt !== attempt) return;
    if (!opened.ok) return this.sealedMessageRefused(opened.problem);
    this.resume?.acks.received(channel.opener.expectedText);
    const inner = opened.message;
    switch (inner.type) {
      case 'introduce':
        if (!attempt.introduced(inner.name, inner.features)) return this.sealedMessageRefused('a second introduction');
        return this.askIfReady(attempt);
      case 'input':
        return this.applyInput(inner.event);
      case 'refresh':
        return this.streamer?.requestRefresh();
      case 'quality':
        return this.streamer?.setQuality(inner.mode === 'auto' ? 'auto' : inner.value ?? 70);
      case 'select-display':
        return this.selectDisplay(inner.id);
      case 'chat':
        if (!this.chatOpen) return this.deps.logger.warn('ignored a chat message outside a chat');
        return this.deps.chat?.onMessage(inner.text);
      case 'clipboard':
        // The relay refuses it in a view-only session; without a link (not offered) it is not ours to take either.
        if (this.clipboardLink === undefined) return this.deps.logger.warn('ignored a clipboard text that was not offered');
        return void this.clipboardLink.write(inner.text);
      case 'clipboard-request':
        if (this.clipboardLink === undefined) return this.deps.logger.warn('ignored a clipboard request that was not offered');
        return this.clipboardLink.request(inner.follow);
      case 'recording-started':
      case 'recording-stopped':
        // Shown whatever the technician's page claims to offer: being told too much is harmless.
        return this.setRecording(inner.type === 'recording-started' && this.state.kind === 'sharing');
      case 'file-offer':
      case 'file-request':
      case 'file-accept':
      case 'file-decline':
      case 'file-resume':
      case 'file-ack':
      case 'file-end':
      case 'file-saved':
      case 'file-cancel':
        if (this.fileTransfers === undefined) return this.deps.logger.warn({ type: inner.type }, 'ignored a file message outside a session with files');
        return this.fileTransfers.handle(inner);
      case 'screen-info':
      case 'cursor-shape':
      case 'cursor-pos':
        // The relay lets these through only from a client; ignored, whoever made them.
        this.deps.logger.warn({ type: inner.type }, 'ignored a message only the customer\'s side sends');
        return;
      default: {
        const unreachable: never = inner;
        return unreachable;
      }
    }
  }

  private onConsentRequest(technicianName: string, timeoutMs: number): void {
    const attempt = this.attempt;
    if (attempt !== undefined) {
      // Sealed: asked only once the keys verified; the relay's name (empty) is not used.
      if (!attempt.consentRequested(timeoutMs)) return this.verificationFailed('mismatch');
      return this.askIfReady(attempt);
    }
    if (this.deps.requireEndToEnd === true) {
      // A technician that cannot encrypt end to end (or a relay pretending to be one): refused without asking.
      this.deps.logger.warn('refused a technician who cannot encrypt end to end (--require-e2e)');
      this.consentGiven = 'deny';
      this.nextCodeNotice = 'unencrypted-refused';
      this.send({ type: 'consent', granted: false, viewOnly: false });
      return;
    }
    this.askConsent(technicianName, timeoutMs, false);
  }

  private askIfReady(attempt: SealedAttempt): void {
    const question = attempt.questionToAsk();
    if (question !== undefined) this.askConsent(question.technicianName, question.timeoutMs, true);
  }

  /**
   * This attempt failed to verify (a wrong code, someone in the middle, or out of order):
   * the relay is told (it turns the technician away and counts it as a wrong code), and the
   * code is burnt here too, so nothing more can be tried against it whatever the relay does.
   */
  private verificationFailed(reason: E2eFailureReason): void {
    // A key agreement message in the middle of a session: nothing to verify, the session is not to be trusted.
    if (this.state.kind === 'sharing') return this.sealedMessageRefused(`agreement message while sharing (${reason})`);
    this.deps.logger.warn({ reason }, 'end-to-end verification failed; this code is spent');
    this.attempt?.fail(reason);
    this.consentAbort?.abort();
    this.send({ type: 'e2e-failed', reason });
    this.burnCode();
  }

  /**
   * The code shown can no longer be used: no agreement is taken on it any more (the relay
   * sends a fresh code at once, and that one comes with new secret digits and a notice).
   */
  private burnCode(): void {
    this.wholeCode = undefined;
    this.nextCodeNotice = 'unverified';
  }

  /**
   * Something sealed did not open (altered, replayed, reordered) or came unsealed where
   * only sealed may: the session cannot be trusted. Before sharing this is a failed
   * verification; while sharing, the session ends at once.
   */
  private sealedMessageRefused(problem: string): void {
    if (this.state.kind !== 'sharing') {
      this.deps.logger.error({ problem }, 'a sealed message was refused before sharing');
      return this.verificationFailed('tampered');
    }
    this.deps.logger.error({ problem }, 'a sealed message was refused; ending the session');
    this.attempt?.fail('tampered');
    this.deps.injector.setMode('off');
    this.send({ type: 'e2e-failed', reason: 'tampered' });
    this.closingReason = 'ended';
    this.ws?.close(CloseCode.NORMAL, 'tampered');
    void this.endStreaming();
    this.setState({ kind: 'ended', by: 'relay', reason: 'e2e-tampered' });
  }

  /** Input from the technician, in clear or opened. The injector refuses it unless the customer allowed control. */
  private applyInput(event: InputEvent): void {
    const outcome = this.deps.injector.inject(event);
    if (outcome === 'refused') this.deps.logger.debug({ kind: event.kind }, 'input refused (not allowed now)');
  }

  /** A peer-to-peer message: sealed in a sealed session (never in clear there), as it is otherwise. */
  private sendToTechnician(message: SealableMessage): void {
    const attempt = this.attempt;
    if (attempt === undefined) {
      this.send(message);
      return;
    }
    const channel = attempt.channel;
    if (channel === undefined) return;
    const ws = this.ws;
    // Decided when the record is numbered: a session that can resume keeps every record from then on.
    const resume = this.resume;
    channel.sealer.sealText(message).then((sealed) => {
      if (this.attempt !== attempt) return;
      if (resume === undefined) {
        if (this.ws === ws) this.send(sealed);
        return;
      }
      if (resume !== this.resume) return;
      if (!resume.keep(sealed)) return this.endSession('resend-overflow', 'resend-overflow');
      // Sent now unless the socket is down or not back in the session yet: then it goes with the others on return.
      if (!this.resuming) this.send(sealed);
    }, (err: unknown) => this.deps.logger.error({ err: String(err) }, 'sealing failed'));
  }

  // ---- consent and sharing -------------------------------------------------------

  private askConsent(technicianName: string, timeoutMs: number, encrypted: boolean): void {
    this.consentAbort?.abort();
    const abort = new AbortController();
    this.consentAbort = abort;
    this.technicianName = technicianName;
    // Verified only when the account the relay vouches for is the name the customer is asked
    // about (sealed: the one the technician's page gave under the keys): never a mark beside another name.
    const verified = this.verifiedName !== undefined && this.verifiedName === technicianName;
    this.setState({ kind: 'consent', technicianName, timeoutMs, encrypted, ...(verified ? { verified: true as const } : {}) });
    // The relay denies by itself at the timeout; answering later would be refused anyway.
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    this.deps.consent({ technicianName, timeoutMs, encrypted, verified, signal: abort.signal }).then((answer) => {
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

  private async startSharing(technicianName: string, viewOnly: boolean, wholeFramesOnly: boolean, encrypted: boolean): Promise<void> {
    this.consentAbort = undefined;
    this.technicianName = technicianName || this.technicianName;
    this.deps.injector.setMode(viewOnly ? 'view-only' : 'control');
    this.setState({ kind: 'sharing', technicianName: this.technicianName, viewOnly, since: this.sharedAs?.since ?? Date.now(), encrypted, ...(this.technicianAway ? { technicianReconnecting: true } : {}) });
    const ws = this.ws;
    if (!ws) return;
    try {
      this.displaysPickable = this.technicianAndRelayCan(PeerFeature.DISPLAYS) && this.deps.selectDisplay !== undefined;
      const choice = await this.deps.displays(this.displaysPickable);
      if (this.ws === ws && choice.displays.length > 0) this.sendToTechnician({ type: 'screen-info', ...choice });
    } catch (err) {
      this.deps.logger.warn({ err: String(err) }, 'could not list displays');
    }
    if (this.ws !== ws || this.state.kind !== 'sharing') return;
    this.wholeFramesOnly = wholeFramesOnly;
    this.sharedAs = this.state;
    this.streamer = this.deps.createStreamer((bytes) => this.sendFrame(ws, bytes), wholeFramesOnly);
    // Half-resolution motion only through a relay that routes it (an older one would close
    // our socket) and only to a page that said it takes it.
    this.streamer.allowScaledFrames?.(this.technicianAndRelayCan(PeerFeature.SCALED_FRAMES));
    this.streamer.allowDeflatedRgb?.(this.attempt?.technicianCan(PeerFeature.DEFLATED_RGB) === true);
    this.streamer.start();
    this.setChatOpen(this.deps.chat !== undefined && this.technicianAndRelayCan(PeerFeature.CHAT));
    const attempt = this.attempt;
    /** Sends to this session's technician only (a message from a loop still running after it ended goes nowhere). */
    // The same technician as long as the same keys: a resumed session keeps them, and what
    // is sent while the link is down waits in the resend outbox (sendToTechnician).
    const toThisTechnician = (message: SealableMessage): void => {
      if (this.attempt === attempt && this.state.kind === 'sharing') this.sendToTechnician(message);
    };
    // The clipboard only with control: reading it may give away more than the screen shows.
    // Kept across a resume (a followed clipboard stays followed).
    if (this.deps.clipboard !== undefined && !viewOnly && this.clipboardLink === undefined && this.technicianAndRelayCan(PeerFeature.CLIPBOARD)) {
      this.clipboardLink = new ClipboardLink(this.deps.clipboard, toThisTechnician, this.deps.logger);
    }
    // Files: kept across a resume (a transfer goes on where it stopped: its records are sent again).
    const files = this.deps.files;
    if (files !== undefined && this.fileTransfers === undefined && this.technicianAndRelayCan(PeerFeature.FILES)) {
      this.fileTransfers = new FileTransfers({
        role: 'client', send: toThisTechnician, host: customerTransferHost(files),
        sendChunk: (id, offset, data) => { if (this.attempt === attempt && this.state.kind === 'sharing') this.sendFileChunk(id, offset, data); },
        maxFileBytes: Math.min(files.maxFileBytes, this.relayMaxFileBytes),
        warn: (detail) => this.deps.logger.warn({ detail }, 'file transfer'),
      });
    }
    // The pointer only sealed, only through a relay that routes it (an older one would close
    // our socket) and only to a page that said it draws it (an older one would end the session).
    const cursorWanted = this.technicianAndRelayCan(PeerFeature.CURSOR);
    if (cursorWanted && this.deps.createCursorStreamer !== undefined) {
      this.cursorStreamer = this.deps.createCursorStreamer(toThisTechnician);
      this.cursorStreamer.start();
    }
  }

  /**
   * True when the technician's page named `feature` in its sealed introduction and the
   * relay in its welcome: only then is anything of it sent (an older page would end the
   * session on a message it does not know, an older relay would close our socket).
   */
  private technicianAndRelayCan(feature: string): boolean {
    return this.attempt !== undefined && this.attempt.technicianCan(feature) && this.relayFeatures.includes(feature);
  }

  /**
   * Sends one chat message to the technician; false (nothing sent) when no chat is open or
   * the text is empty, too long or not well-formed (the page would refuse it).
   */
  sendChat(text: string): boolean {
    if (!this.chatOpen || this.state.kind !== 'sharing') return false;
    if (!isChatText(text)) return false;
    this.sendToTechnician({ type: 'chat', text });
    return true;
  }

  /** The customer cancels a file transfer (stopped on both sides at once, nothing kept). */
  cancelFile(id: number): boolean {
    return this.fileTransfers?.cancel(id) ?? false;
  }

  /** Transfers under way (0 without a technician who may send files). */
  get fileTransfersActive(): number {
    return this.fileTransfers?.activeCount ?? 0;
  }

  /** What this side takes beyond version 2, for its sealed introduction (the page offers only what is named). */
  private ownFeatures(): string[] {
    return [
      ...(this.deps.chat !== undefined ? [PeerFeature.CHAT] : []),
      ...(this.deps.clipboard !== undefined ? [PeerFeature.CLIPBOARD] : []),
      ...(this.deps.onRecording !== undefined ? [PeerFeature.RECORDING] : []),
      ...(this.deps.files !== undefined ? [PeerFeature.FILES] : []),
    ];
  }

  private setRecording(recording: boolean): void {
    if (this.recording === recording) return;
    this.recording = recording;
    this.deps.onRecording?.(recording);
  }

  private setChatOpen(open: boolean): void {
    if (this.chatOpen === open) return;
    this.chatOpen = open;
    this.deps.chat?.onAvailable(open);
  }

  /**
   * The technician picked another display: stream it, from a full update, and say so.
   * The switch waits for the frames of the old display already grabbed to go out, so none
   * of them leaves after the `screen-info` naming the new one (a relay holding frames for a
   * busy page may still deliver one later, PROTOCOL.md §8: the page sizes each frame by its
   * own header). A display not listed changes nothing and costs no full update.
   */
  private selectDisplay(id: number): void {
    if (this.state.kind !== 'sharing' || !this.displaysPickable) {
      this.deps.logger.warn('ignored a choice of display the technician was not offered');
      return;
    }
    const attempt = this.attempt;
    const switchDisplay = (): boolean => {
      if (this.attempt !== attempt || this.state.kind !== 'sharing') return false;
      const choice = this.deps.selectDisplay?.(id);
      if (choice === undefined) {
        this.deps.logger.warn({ id }, 'ignored a choice of a display that is not listed');
        return false;
      }
      this.sendToTechnician({ type: 'screen-info', ...choice });
      return true;
    };
    if (this.streamer !== undefined) this.streamer.betweenUpdates(switchDisplay);
    else switchDisplay();
  }

  /**
   * Resolves once the frame left the process, so a slow network slows capture, not memory.
   * In a sealed session it is sealed first (never sent in clear there).
   */
  private async sendFrame(ws: WebSocket, bytes: Uint8Array): Promise<void> {
    const attempt = this.attempt;
    let wire = bytes;
    if (attempt !== undefined) {
      const channel = attempt.channel;
      if (channel === undefined) return;
      wire = await channel.sealer.sealBinary(bytes);
      if (this.attempt !== attempt) return;
    }
    await new Promise<void>((resolve) => {
      if (ws.readyState !== WebSocket.OPEN) {
        resolve();
        return;
      }
      ws.send(wire, { binary: true }, () => resolve());
    });
  }

  /**
   * Stops the screen and pointer loops and lets go of the keys. `loops`: only that, for a
   * resumed session that starts them again; the chat, the recording notice and the
   * clipboard belong to the session and stay (a resume must not hide a recording from the
   * customer nor empty the chat). `session` (default): the session is over, they go too.
   */
  private async endStreaming(scope: 'session' | 'loops' = 'session'): Promise<void> {
    if (scope === 'session') {
      this.setChatOpen(false);
      this.setRecording(false);
      this.clipboardLink?.stop();
      this.clipboardLink = undefined;
      // Every transfer stops: partial files deleted, picked files closed.
      const transfers = this.fileTransfers;
      this.fileTransfers = undefined;
      await transfers?.close();
    }
    const streamer = this.streamer;
    this.streamer = undefined;
    const cursorStreamer = this.cursorStreamer;
    this.cursorStreamer = undefined;
    await Promise.all([streamer?.stop(), cursorStreamer?.stop()]);
    await this.deps.injector.releaseAll();
  }

  // ---- resume (PROTOCOL.md §14) --------------------------------------------------

  /** A credential from the relay: this session can resume, and from now on keeps what it sends until acknowledged. */
  private onResumeCredential(token: string, graceMs: number): void {
    if (this.attempt?.channel === undefined) return; // only a sealed session resumes
    this.resume ??= new ResumeKeeper((n) => { if (!this.resuming) this.send({ type: 'ack', n }); }, {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    });
    this.resume.credential(token, graceMs);
  }

  /** The socket of a live session dropped: try to come back into it, with back-off, within the grace period. */
  private scheduleResume(reason: string): void {
    const resume = this.resume!;
    resume.dropped();
    this.clearRetry();
    if (!resume.mayResume) return this.endSession('resume-expired');
    this.resuming = true;
    this.fileTransfers?.connectionLost();
    const attempt = this.reconnects + 1;
    const inMs = Math.min(backoffDelayMs(attempt, { ...this.backoff, maxRetries: undefined }) ?? this.backoff.maxDelayMs, resume.graceMs);
    this.reconnects = attempt;
    this.setState({ kind: 'reconnecting', inMs, attempt, reason, resuming: true });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopping) this.connect();
    }, inMs);
  }

  /** `welcome` on a socket opened to resume: ask, if this relay can; otherwise the session cannot come back. */
  private askToResume(): void {
    const token = this.resume?.currentCredential;
    if (token === undefined || !this.relayFeatures.includes(PeerFeature.RESUME)) return this.endSession('resume-unavailable');
    this.send({ type: 'resume', token });
  }

  /** Back in the session: as it was, view-only included; what the technician may have missed goes again. */
  private onResumed(viewOnly: boolean): void {
    const resume = this.resume;
    const shared = this.sharedAs;
    if (!this.resuming || resume === undefined || shared === undefined) {
      this.deps.logger.warn('ignored a resumed that this agent did not ask for');
      return;
    }
    this.resuming = false;
    this.reconnects = 0;
    // Whether the technician is away is the relay's to say again now (`peer-away` follows `resumed` if it is).
    this.technicianAway = false;
    resume.back();
    resume.inbound.resumed();
    // The customer's answer holds whatever the relay says: view-only stays view-only.
    const stillViewOnly = shared.viewOnly || viewOnly;
    this.deps.injector.setMode(stillViewOnly ? 'view-only' : 'control');
    this.setState(this.sharingAgain(shared, stillViewOnly));
    this.catchUp(resume);
    this.fileTransfers?.connectionBack();
  }

  /** The technician's page dropped (the relay waits for it) or came back. */
  private onTechnicianAway(away: boolean): void {
    const resume = this.resume;
    const shared = this.sharedAs;
    if (resume === undefined || shared === undefined || this.state.kind !== 'sharing') return;
    this.technicianAway = away;
    this.setState(this.sharingAgain(shared, this.state.viewOnly));
    if (!away) this.catchUp(resume);
    if (away) this.fileTransfers?.connectionLost();
    else this.fileTransfers?.connectionBack();
  }

  /** The sharing state as it was, saying whether the technician is away now. */
  private sharingAgain(shared: Extract<AgentState, { kind: 'sharing' }>, viewOnly: boolean): AgentState {
    const { technicianReconnecting: _wasAway, ...base } = shared;
    return { ...base, viewOnly, ...(this.technicianAway ? { technicianReconnecting: true } : {}) };
  }

  /**
   * After either side came back: say how far we got, send again every record not
   * acknowledged (same bytes, same numbers: the page drops those it has), and start the
   * screen over with a full update (frames are not kept).
   */
  private catchUp(resume: ResumeKeeper): void {
    resume.acks.flush();
    for (const record of resume.outbox.unacknowledged()) this.send(record);
    const shared = this.sharedAs!;
    void this.endStreaming('loops').then(() => {
      if (this.state.kind === 'sharing' && !this.resuming) void this.startSharing(shared.technicianName, this.state.viewOnly, this.wholeFramesOnly, shared.encrypted);
    });
  }

  /** The session is over for a reason of its own (resume failed, too much unacknowledged): told to the relay and the customer. */
  private endSession(reason: string, byeReason?: string): void {
    if (byeReason !== undefined) this.send({ type: 'bye', reason: byeReason });
    this.clearRetry();
    this.resuming = false;
    this.closingReason = 'ended';
    this.deps.injector.setMode('off');
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(CloseCode.NORMAL, reason);
    void this.endStreaming();
    if (this.state.kind !== 'ended') this.setState({ kind: 'ended', by: 'relay', reason });
  }

  /**
   * A network change can leave a connection that neither closes nor carries anything. The
   * relay pings every `heartbeatMs`: heard from for none of two intervals (and a second),
   * the connection is taken for dropped and cut, so the session resumes (or, outside one,
   * a new code comes) instead of waiting for TCP to give up.
   */
  private startLivenessCheck(heartbeatMs: number): void {
    this.stopLivenessCheck();
    const ws = this.ws;
    this.lastHeardMs = Date.now();
    const timer = setInterval(() => {
      if (this.ws !== ws) {
        // That socket was let go of (stopped, replaced): its check goes with it.
        clearInterval(timer);
        if (this.livenessTimer === timer) this.livenessTimer = undefined;
        return;
      }
      if (Date.now() - this.lastHeardMs <= 2 * heartbeatMs + 1000) return;
      this.deps.logger.warn('the relay went silent; reconnecting');
      ws?.terminate();
    }, heartbeatMs);
    // Never what keeps the agent's process alive.
    timer.unref();
    this.livenessTimer = timer;
  }

  private stopLivenessCheck(): void {
    if (this.livenessTimer !== undefined) clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  private forgetResume(): void {
    this.technicianAway = false;
    this.resume?.stop();
    this.resume = undefined;
    this.resuming = false;
    this.sharedAs = undefined;
  }

  // ---- reconnection --------------------------------------------------------------

  private scheduleReconnect(reason: string): void {
    this.clearRetry();
    // The relay forgets a code with its socket: the next one says the one read out is gone.
    if (this.wholeCode !== undefined || this.state.kind === 'consent' || this.state.kind === 'sharing') this.nextCodeNotice ??= 'reconnected';
    this.wholeCode = undefined;
    this.attempt = undefined;
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
    if (next.kind === 'ended' || next.kind === 'failed' || next.kind === 'code') this.forgetResume();
    this.state = next;
    this.deps.onState(next);
  }
}
