import type { Logger } from 'pino';
import type WebSocket from 'ws';
import {
  BinaryKind, Errors, FRAME_ACK_LENGTH, FRAME_HEADER_LENGTH, PROTOCOL_VERSION, CloseCode,
  decodeText, encodeControl, isSupportedVersion, readEnvelope,
  type ControlMessage, type ErrorSpec, type Role,
} from '../protocol';
import { randomConnectionId } from './access-codes';
import { FrameGate } from './frame-gate';
import type { Hub } from './hub';
import type { RelayOptions } from './options';
import type { PeerEnd, PeerLink } from './peer-link';
import type { Session } from './session';
import { TokenBucket } from './token-bucket';

/**
 * A socket's own lifecycle. What is allowed once `in-session` is decided by the
 * session's state (waiting, pending-consent, paired), which the hub owns.
 */
export type ConnectionState = 'handshake' | 'ready' | 'in-session' | 'closed';

const ALLOWED: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = Object.freeze({
  handshake: ['ready', 'closed'],
  ready: ['in-session', 'closed'],
  'in-session': ['closed'],
  closed: [],
});

/** A monotonic clock for rate limits: they must not jump with wall-clock changes. */
function monotonicMs(): number {
  return performance.now();
}

/**
 * One WebSocket peer: decodes what it sends, enforces size, rate and state rules, and
 * is the PeerLink through which the hub delivers to it. Frames for a technician pass
 * through a FrameGate so a slow reader never makes the relay buffer without bound.
 */
export class WsConnection implements PeerLink {
  state: ConnectionState = 'handshake';
  role: Role = 'client';
  name = '';
  readonly legacy = false;
  readonly wholeFramesOnly = false;
  session: Session | undefined;
  /** Cleared by each heartbeat ping, set by the pong. */
  alive = true;

  private log: Logger;
  private readonly gate: FrameGate;
  private readonly messageRate: TokenBucket;
  private readonly byteRate: TokenBucket;
  private stateTimer: NodeJS.Timeout | undefined;
  /**
   * Unsent bytes beyond which this peer counts as not reading. Frames alone can hold
   * up to the frame backlog plus one frame (the gate's bound); control and input get
   * their own allowance on top, so a lagging technician is not cut off for a
   * `screen-info` that arrives while frames wait.
   */
  private readonly backlogLimitBytes: number;

  constructor(
    private readonly ws: WebSocket,
    private readonly address: string,
    private readonly hub: Hub,
    private readonly options: RelayOptions,
    logger: Logger,
    private readonly onClosed: (conn: WsConnection) => void,
  ) {
    this.log = logger.child({ conn: randomConnectionId() });
    const now = monotonicMs();
    this.messageRate = new TokenBucket(options.maxMessagesPerSecond, options.maxMessagesPerSecond * 2, now);
    this.byteRate = new TokenBucket(options.maxBytesPerSecond, options.maxBytesPerSecond * 2, now);
    this.backlogLimitBytes = options.frameBacklogBytes + options.maxFrameBytes + options.controlBacklogBytes;
    this.gate = new FrameGate({
      backlogBytes: () => this.ws.bufferedAmount,
      send: (frame, written) => this.ws.send(frame, { binary: true }, written),
    }, options.frameBacklogBytes);
    ws.on('message', this.onSocketMessage);
    ws.on('close', this.onSocketClose);
    ws.on('pong', this.onSocketPong);
    ws.on('error', this.onSocketError);
    this.stateTimer = setTimeout(this.onHandshakeTimeout, options.handshakeTimeoutMs);
  }

  // ---- PeerLink: what the hub delivers -------------------------------------------

  send(message: ControlMessage, raw?: Uint8Array): void {
    if (this.state === 'closed' || this.endIfNotReading()) return;
    // The write callback lets a held frame go out once the backlog drains.
    this.ws.send(raw ?? encodeControl(message), { binary: false }, this.gate.onWritten);
  }

  sendFrame(frame: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.gate.offer(frame) === 'replaced' && this.session) this.hub.frameDropped(this.session);
  }

  sendAck(ack: Uint8Array): void {
    if (this.state === 'closed' || this.endIfNotReading()) return;
    this.ws.send(ack, { binary: true });
  }

  end(reason: PeerEnd): void {
    if (this.state === 'closed') return;
    if (reason.kind === 'peer-left') {
      this.ws.send(encodeControl({ type: 'peer-left', reason: reason.reason }));
      this.close(CloseCode.SESSION_ENDED, 'peer left');
    } else {
      this.sendError(reason.error);
      this.close(reason.error.closeCode ?? CloseCode.SESSION_ENDED, reason.error.code);
      // A peer that does not read cannot answer a closing handshake either: cut it.
      if (reason.error === Errors.LIMIT_BACKLOG && this.ws.bufferedAmount > this.backlogLimitBytes) this.ws.terminate();
    }
  }

  // ---- heartbeat -----------------------------------------------------------------

  /** Called on every heartbeat tick by the server. */
  heartbeat(): void {
    if (this.state === 'closed') return;
    if (!this.alive) {
      this.log.info('heartbeat missed; dropping');
      if (this.session) this.hub.leave(this.session, this, 'timeout');
      this.setState('closed');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Cuts the socket without a closing handshake (shutdown of a peer that does not answer). */
  terminate(): void {
    this.setState('closed');
    this.ws.terminate();
  }

  /** Bytes this connection holds for its peer (for tests and metrics). */
  get heldBytes(): number {
    return this.ws.bufferedAmount + this.gate.heldBytes;
  }

  // ---- socket events -------------------------------------------------------------

  private readonly onSocketMessage = (data: Buffer, isBinary: boolean): void => {
    if (this.state === 'closed') return;
    const now = monotonicMs();
    if (!this.messageRate.take(1, now) || !this.byteRate.take(data.byteLength, now)) {
      this.fail(Errors.LIMIT_RATE);
      return;
    }
    if (isBinary) {
      if (data.byteLength > this.options.maxFrameBytes) this.fail(Errors.LIMIT_MESSAGE_SIZE);
      else this.onBinary(data);
      return;
    }
    if (data.byteLength > this.options.maxTextBytes) {
      this.fail(Errors.LIMIT_MESSAGE_SIZE);
      return;
    }
    const decoded = decodeText(data.toString('utf8'));
    if (!decoded.ok) {
      this.log.debug({ detail: decoded.detail }, 'malformed message');
      this.fail(decoded.error);
      return;
    }
    this.onControl(decoded.message, data);
  };

  private readonly onSocketClose = (): void => {
    if (this.state !== 'closed') {
      this.setState('closed');
      if (this.session) this.hub.leave(this.session, this, 'closed');
    }
    this.cleanup();
    // Only now is the socket gone: until then it counts, and shutdown can still cut it.
    this.onClosed(this);
  };

  private readonly onSocketPong = (): void => {
    this.alive = true;
  };

  private readonly onSocketError = (err: Error): void => {
    this.log.debug({ err: err.message }, 'socket error');
  };

  private readonly onHandshakeTimeout = (): void => {
    this.stateTimer = undefined;
    if (this.state === 'handshake') this.fail(Errors.PROTO_HANDSHAKE_TIMEOUT);
  };

  private readonly onIdleTimeout = (): void => {
    this.stateTimer = undefined;
    if (this.state === 'ready') this.fail(Errors.TIMEOUT_IDLE);
  };

  // ---- decoding and dispatch -----------------------------------------------------

  private onControl(message: ControlMessage, raw: Uint8Array): void {
    if (this.state === 'handshake') {
      if (message.type !== 'hello') {
        this.sendError(Errors.PROTO_UNEXPECTED);
        return;
      }
      if (!isSupportedVersion(message.version)) {
        this.fail(Errors.PROTO_VERSION);
        return;
      }
      this.role = message.role;
      this.log = this.log.child({ role: this.role });
      this.setState('ready');
      this.restartTimer(this.onIdleTimeout, this.options.idleTimeoutMs);
      this.ws.send(encodeControl({
        type: 'welcome', version: PROTOCOL_VERSION, heartbeatMs: this.options.heartbeatIntervalMs,
        maxFrameBytes: this.options.maxFrameBytes, maxTextBytes: this.options.maxTextBytes,
      }));
      return;
    }
    const session = this.session;
    const paired = session?.state === 'paired';
    switch (message.type) {
      case 'register':
        if (this.role !== 'client') return this.sendError(Errors.PROTO_UNEXPECTED);
        this.name = message.name;
        return this.onRegister();
      case 'join':
        if (this.role !== 'technician' || session) return this.sendError(Errors.PROTO_UNEXPECTED);
        this.name = message.name;
        return this.onJoin(message.code);
      case 'consent':
        if (this.role !== 'client' || session?.state !== 'pending-consent') return this.sendError(Errors.PROTO_UNEXPECTED);
        return this.hub.consent(session, message.granted, message.viewOnly);
      case 'bye':
        if (session) this.hub.leave(session, this, 'bye');
        return this.close(CloseCode.NORMAL, 'bye');
      case 'input':
        if (this.role !== 'technician' || !paired) return this.sendError(Errors.PROTO_UNEXPECTED);
        // View-only is enforced here too, not only in the client: input never reaches it.
        if (session.viewOnly) return this.sendError(Errors.SESSION_VIEW_ONLY);
        return this.hub.forwardToClient(session, message, raw);
      case 'refresh':
      case 'quality':
        if (this.role !== 'technician' || !paired) return this.sendError(Errors.PROTO_UNEXPECTED);
        return this.hub.forwardToClient(session, message, raw);
      case 'screen-info':
        if (this.role !== 'client' || !paired) return this.sendError(Errors.PROTO_UNEXPECTED);
        return this.hub.forwardToTechnician(session, message, raw);
      case 'hello':
      case 'welcome':
      case 'code':
      case 'waiting-consent':
      case 'consent-request':
      case 'paired':
      case 'peer-left':
      case 'error':
        return this.sendError(Errors.PROTO_UNEXPECTED);
      default: {
        const unreachable: never = message;
        void unreachable;
        return this.sendError(Errors.PROTO_UNEXPECTED);
      }
    }
  }

  private onRegister(): void {
    const session = this.session;
    const result = session ? this.hub.renewCode(session) : this.hub.registerClient(this, this.address);
    if (!result.ok) {
      if (result.error.closeCode !== undefined) this.fail(result.error);
      else this.sendError(result.error);
      return;
    }
    const { code, expiresAt, ttlMs } = result.value;
    if (!session) {
      this.session = result.value.session;
      this.enterSession();
    }
    this.ws.send(encodeControl({ type: 'code', code, expiresAt, ttlMs }));
  }

  private onJoin(code: string): void {
    const result = this.hub.join(this, code, this.address);
    if (!result.ok) {
      this.log.info({ why: result.error.code }, 'join refused');
      this.fail(result.error);
      return;
    }
    this.session = result.value;
    this.enterSession();
  }

  private onBinary(data: Buffer): void {
    const session = this.session;
    const envelope = readEnvelope(data);
    if (envelope === undefined) {
      this.fail(Errors.PROTO_MALFORMED);
      return;
    }
    if (session?.state !== 'paired') {
      this.sendError(Errors.PROTO_UNEXPECTED);
      return;
    }
    // Route on the envelope only: the image is never decoded or copied here.
    if (this.role === 'client' && envelope.kind === BinaryKind.FRAME
      && envelope.headerLength >= FRAME_HEADER_LENGTH && data.byteLength > envelope.headerLength) {
      this.hub.forwardFrame(session, data, envelope.flags);
    } else if (this.role === 'technician' && envelope.kind === BinaryKind.FRAME_ACK && data.byteLength === FRAME_ACK_LENGTH) {
      this.hub.forwardAck(session, data);
    } else {
      this.fail(Errors.PROTO_MALFORMED);
    }
  }

  // ---- state and teardown --------------------------------------------------------

  private enterSession(): void {
    this.setState('in-session');
    this.clearTimer();
    this.log = this.log.child({ sessionId: this.session?.logId });
  }

  private setState(to: ConnectionState): void {
    if (this.state === to) return;
    if (!ALLOWED[this.state].includes(to)) throw new Error(`connection cannot go from ${this.state} to ${to}`);
    this.state = to;
  }

  private sendError(error: ErrorSpec): void {
    if (this.state === 'closed') return;
    this.ws.send(encodeControl({ type: 'error', code: error.code, message: error.message }));
  }

  /** A peer-caused error: tell the peer; if the error closes, end its session too. */
  private fail(error: ErrorSpec): void {
    if (this.state === 'closed') return;
    this.sendError(error);
    if (error.closeCode === undefined) return;
    if (this.session) this.hub.leave(this.session, this, 'error');
    this.close(error.closeCode, error.code);
  }

  /** Ends the session when this peer's unsent bytes passed the limit; true when it did. */
  private endIfNotReading(): boolean {
    if (this.ws.bufferedAmount <= this.backlogLimitBytes) return false;
    this.failSession(Errors.LIMIT_BACKLOG);
    return true;
  }

  /** The session must end for both sides (this peer stopped reading). */
  private failSession(error: ErrorSpec): void {
    if (this.session) this.hub.endWithError(this.session, error);
    else this.end({ kind: 'error', error });
  }

  private close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.setState('closed');
    this.cleanup();
    this.ws.close(code, reason);
  }

  private restartTimer(fn: () => void, ms: number): void {
    this.clearTimer();
    this.stateTimer = setTimeout(fn, ms);
  }

  private clearTimer(): void {
    if (this.stateTimer !== undefined) clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
  }

  private cleanup(): void {
    this.clearTimer();
    this.gate.close();
    this.ws.off('message', this.onSocketMessage);
    this.ws.off('pong', this.onSocketPong);
  }
}
