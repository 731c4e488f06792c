import type { Logger } from 'pino';
import type WebSocket from 'ws';
import {
  BinaryKind, checkEnvelope, FILE_CHUNK_HEADER_LENGTH, MAX_FILE_CHUNK_BYTES, SEALED_OVERHEAD, CloseCode, decodeText, encodeControl, Errors, isSupportedVersion, PeerFeature, versionSeals,
  type ControlMessage, type ErrorSpec, type PeerLeftReason, type Role,
} from '../protocol';
import { randomConnectionId } from './access-codes';
import { FrameGate } from './frame-gate';
import type { Hub } from './hub';
import type { ForwardedKind, RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import type { Forwarded, PeerEnd, PeerLink } from './peer-link';
import {
  allows, BINARY_RULES, CONTROL_ONLY_SEALED, isPeerMessageType, relayFeatures, SEALED_RULES, TEXT_RULES, type Phase, type PeerMessageType, type Sealing,
} from './peer-message-rules';
import type { Session } from './session';
import { TokenBucket } from './token-bucket';
import type { ClusterRouter, Route } from './cluster/cluster-router';
import { NodeLink } from './cluster/node-link';

/**
 * A socket's own lifecycle. What is allowed once `in-session` is decided by the
 * session's state (waiting, pending-consent, paired), which the hub owns.
 */
type ConnectionState = 'handshake' | 'ready' | 'in-session' | 'linked' | 'closed';

/** Messages a peer may send while the cluster is asked where its session lives; one more ends it. */
const MAX_HELD_WHILE_ROUTING = 32;

/** How a connection ends: one of the hub's reasons, or the peer's own goodbye. */
type Ending = PeerEnd | { readonly kind: 'bye' };

/** What the connection needs from the server that owns it. */
export interface WsConnectionDeps {
  readonly hub: Hub;
  readonly options: RelayOptions;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  /** The socket is gone for good (after its close event): forget it. */
  readonly onClosed: (conn: WsConnection) => void;
  /** The account whose session cookie came with the upgrade request, if any. */
  readonly signedIn?: { readonly id: number; readonly displayName: string };
  /** Several nodes (REDIS_URL): where a code or credential of another node is served. */
  readonly cluster?: ClusterRouter;
  /** This peer was relayed here by another node (internal endpoint): it is served here, never sent on. */
  readonly relayed?: boolean;
  /** The upgrade request's cookie: the node that holds the session looks the sign-in up again. */
  readonly cookie?: string;
}

type Handlers = { readonly [T in PeerMessageType]: (message: Extract<ControlMessage, { type: T }>, forwarded: Forwarded) => void };

/** Bytes above a socket's message limit before `ws` itself refuses a message (close 1009). */
export const TRANSPORT_SLACK_BYTES = 64 * 1024;
/** The same before pairing, where the limit is small. */
const PRE_SESSION_SLACK_BYTES = 1024;

/** The part of ws's receiver that holds the payload limit (a documented option, set per server). */
interface ReceiverLimit {
  _maxPayload: number;
}

/** A monotonic clock for rate limits and latencies: they must not jump with wall-clock changes. */
function monotonicMs(): number {
  return performance.now();
}

/** What the other side of the session is told when this side's connection ends. */
function leaveReason(ending: Ending): PeerLeftReason {
  if (ending.kind === 'bye') return 'bye';
  if (ending.kind === 'peer-left') return 'closed'; // the session is already over: nobody is told
  return ending.error === Errors.TIMEOUT_HEARTBEAT ? 'timeout' : 'error';
}

/**
 * One WebSocket peer: decodes what it sends, enforces size, rate and state rules (the
 * rules themselves are tables in peer-message-rules.ts), and is the PeerLink through
 * which the hub delivers to it. Frames for a technician pass through a FrameGate so a
 * slow reader never makes the relay buffer without bound.
 *
 * A connection ends in one of two ways: `end` (a last message, then the close code of
 * its reason) or `terminate` (cut, for a peer that cannot take a closing handshake).
 * Either way, a session it was in learns at once, and nothing a peer sends can throw
 * out of here: a failure while handling one message ends that socket only.
 */
/** The largest sealed FILE_CHUNK: its header, the most file bytes, the seal. */
const MAX_SEALED_FILE_CHUNK_BYTES = FILE_CHUNK_HEADER_LENGTH + MAX_FILE_CHUNK_BYTES + SEALED_OVERHEAD;

export class WsConnection implements PeerLink {
  readonly legacy = false;
  readonly wholeFramesOnly = false;

  private state: ConnectionState = 'handshake';
  /** Said in `hello`; the relay asks nothing of a peer's role before that. */
  private roleSaid: Role | undefined;
  /** The protocol version said in `hello`. */
  private versionSaid: number | undefined;
  /** What the peer said in `hello` it takes beyond its version. */
  private featuresSaid: readonly string[] = [];
  private displayName = '';
  private session: Session | undefined;
  /** Cleared by each heartbeat ping, set by the pong. */
  private answeredPing = true;
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
  /** The message being handled, as received (a relayed peer's messages go on unchanged). */
  private current: Buffer | undefined;
  /** The peer's `hello` as received, for the node that holds its session. */
  private helloBytes: Buffer | undefined;
  /** Set while the cluster is asked where to serve this peer: what it sends meanwhile waits here. */
  private held: Array<readonly [Buffer, boolean]> | undefined;
  /** The link to the node that holds this peer's session (state `linked`). */
  private link: NodeLink | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly address: string,
    private readonly deps: WsConnectionDeps,
  ) {
    const { options } = deps;
    this.log = deps.logger.child({ conn: randomConnectionId() });
    const now = monotonicMs();
    this.messageRate = new TokenBucket(options.maxMessagesPerSecond, options.maxMessagesPerSecond * 2, now);
    this.byteRate = new TokenBucket(options.maxBytesPerSecond, options.maxBytesPerSecond * 2, now);
    this.backlogLimitBytes = options.frameBacklogBytes + options.maxFrameBytes + options.controlBacklogBytes;
    this.gate = new FrameGate({
      backlogBytes: () => this.ws.bufferedAmount,
      send: (frame, written, receivedAtMs) => this.write(frame, true, 'frame', receivedAtMs, written),
    }, options.frameBacklogBytes);
    ws.on('message', this.onSocketMessage);
    ws.on('close', this.onSocketClose);
    ws.on('pong', this.onSocketPong);
    ws.on('error', this.onSocketError);
    this.startTimer(this.onHandshakeTimeout, options.handshakeTimeoutMs);
    this.setTransportLimit(this.messageLimit() + PRE_SESSION_SLACK_BYTES);
  }

  /** The role said in `hello` (a connection is treated as a client until then). */
  get role(): Role {
    return this.roleSaid ?? 'client';
  }

  get name(): string {
    return this.displayName;
  }

  get verifiedName(): string | undefined {
    return this.deps.signedIn?.displayName;
  }

  get verifiedUserId(): number | undefined {
    return this.deps.signedIn?.id;
  }

  /** Said version 2 or later in `hello`: pairs with another such peer only sealed. */
  get seals(): boolean {
    return this.versionSaid !== undefined && versionSeals(this.versionSaid);
  }

  /** Seals, said `resume` in `hello`, and this relay resumes sessions (its grace is not 0). */
  get resumes(): boolean {
    return this.seals && this.deps.options.resumeGraceMs > 0 && this.featuresSaid.includes(PeerFeature.RESUME);
  }

  /**
   * Its peer can carry on through another node when this one stops: it is relayed to
   * another node, or in a resumable paired session (which another node takes over).
   */
  get movable(): boolean {
    return this.state === 'linked' || (this.state === 'in-session' && this.session?.resumable === true && this.session.state === 'paired');
  }

  /** Bytes this connection holds for its peer (for tests and metrics). */
  get heldBytes(): number {
    return this.ws.bufferedAmount + this.gate.heldBytes;
  }

  // ---- PeerLink: what the hub delivers -------------------------------------------

  send(message: ControlMessage, forwarded?: Forwarded): void {
    if (this.state === 'closed' || this.endIfNotReading()) return;
    // Once told it is paired, a client may send frames: only now may its messages be large.
    if (message.type === 'paired' || message.type === 'resumed') this.setTransportLimit(this.messageLimit(true) + TRANSPORT_SLACK_BYTES);
    this.write(forwarded?.bytes ?? encodeControl(message), false, 'control', forwarded?.receivedAtMs);
  }

  sendFrame(frame: Uint8Array, receivedAtMs?: number): void {
    if (this.state === 'closed') return;
    if (this.gate.offer(frame, receivedAtMs) === 'replaced' && this.session) this.deps.hub.frameDropped(this.session);
  }

  sendAck(ack: Uint8Array, receivedAtMs?: number): void {
    if (this.state === 'closed' || this.endIfNotReading()) return;
    this.write(ack, true, 'ack', receivedAtMs);
  }

  /**
   * The orderly end: the last word (an `error`, or `peer-left`; nothing after a `bye`),
   * then the close code that goes with it. A session this connection is still in learns
   * why at once. A peer that does not read cannot take a closing handshake: it is cut.
   */
  end(ending: Ending): void {
    if (this.state === 'closed') return;
    this.closeState(ending);
    let closeCode: number;
    let closeReason: string;
    if (ending.kind === 'bye') {
      closeCode = CloseCode.NORMAL;
      closeReason = 'bye';
    } else if (ending.kind === 'peer-left') {
      this.ws.send(encodeControl({ type: 'peer-left', reason: ending.reason }));
      closeCode = CloseCode.SESSION_ENDED;
      closeReason = 'peer left';
    } else {
      this.tellError(ending.error);
      closeCode = ending.error.closeCode ?? CloseCode.SESSION_ENDED;
      closeReason = ending.error.code;
    }
    this.ws.close(closeCode, closeReason);
    if (this.ws.bufferedAmount > this.backlogLimitBytes) this.ws.terminate();
  }

  /** Cuts the socket without a closing handshake: a peer that does not answer, or shutdown. */
  terminate(): void {
    if (this.state !== 'closed') this.closeState({ kind: 'peer-left', reason: 'closed' }, 'closed');
    this.ws.terminate();
  }

  /** Called on every heartbeat tick by the server. */
  heartbeat(): void {
    if (this.state === 'closed') return;
    if (!this.answeredPing) {
      // After the relay's own event loop was held up, ticks come late and close together:
      // the pong may be waiting, unread, in the socket. Let pending I/O be read first.
      setImmediate(this.onHeartbeatMissed);
      return;
    }
    this.answeredPing = false;
    this.ws.ping();
  }

  private readonly onHeartbeatMissed = (): void => {
    if (this.state === 'closed' || this.answeredPing) return;
    this.log.info('heartbeat missed; closing');
    // A peer that is really gone never sees this; ws cuts the socket once its closing
    // handshake times out. The other side of the session is told right now.
    this.end({ kind: 'error', error: Errors.TIMEOUT_HEARTBEAT });
  };

  // ---- socket events -------------------------------------------------------------

  private readonly onSocketMessage = (data: Buffer, isBinary: boolean): void => {
    if (this.state === 'closed') return;
    const receivedAtMs = monotonicMs();
    if (this.link !== undefined) {
      // Relayed to the node that holds the session: it checks everything; this node only bounds the rate.
      if (!this.messageRate.take(1, receivedAtMs) || !this.byteRate.take(data.byteLength, receivedAtMs) || !this.link.fromPeer(data, isBinary)) {
        this.end({ kind: 'error', error: Errors.LIMIT_RATE });
      }
      return;
    }
    if (this.held !== undefined) {
      if (this.held.length >= MAX_HELD_WHILE_ROUTING || data.byteLength > this.messageLimit()) this.end({ kind: 'error', error: Errors.LIMIT_RATE });
      else this.held.push([data, isBinary]);
      return;
    }
    try {
      this.handleMessage(data, isBinary, receivedAtMs);
    } catch (err) {
      // A bug, not the peer's fault as far as it can know: this socket ends, the relay lives.
      this.deps.metrics.peerFailure();
      this.log.error({ err }, 'handling a message failed; closing this socket');
      try {
        this.end({ kind: 'error', error: Errors.SERVER_INTERNAL });
      } catch {
        this.ws.terminate();
      }
    }
  };

  private readonly onSocketClose = (): void => {
    if (this.state !== 'closed') this.closeState({ kind: 'peer-left', reason: 'closed' }, 'closed');
    // Only now is the socket gone: until then it counts, and shutdown can still cut it.
    this.deps.onClosed(this);
  };

  private readonly onSocketPong = (): void => {
    this.answeredPing = true;
  };

  private readonly onSocketError = (err: Error): void => {
    this.log.debug({ err: err.message }, 'socket error');
  };

  private readonly onHandshakeTimeout = (): void => {
    this.stateTimer = undefined;
    if (this.state === 'handshake') this.end({ kind: 'error', error: Errors.PROTO_HANDSHAKE_TIMEOUT });
  };

  private readonly onIdleTimeout = (): void => {
    this.stateTimer = undefined;
    if (this.state === 'ready') this.end({ kind: 'error', error: Errors.TIMEOUT_IDLE });
  };

  // ---- decoding and dispatch -----------------------------------------------------

  private handleMessage(data: Buffer, isBinary: boolean, receivedAtMs: number): void {
    if (!this.messageRate.take(1, receivedAtMs) || !this.byteRate.take(data.byteLength, receivedAtMs)) {
      this.end({ kind: 'error', error: Errors.LIMIT_RATE });
      return;
    }
    if (data.byteLength > this.messageLimit(this.phase() === 'paired', isBinary)) {
      this.end({ kind: 'error', error: Errors.LIMIT_MESSAGE_SIZE });
      return;
    }
    // Counted for the session's record (bytes each way), never kept.
    if (this.session !== undefined && this.roleSaid !== undefined) this.session.countSent(this.roleSaid, data.byteLength);
    if (isBinary) {
      this.onBinary(data, receivedAtMs);
      return;
    }
    const decoded = decodeText(data.toString('utf8'));
    if (!decoded.ok) {
      this.log.debug({ detail: decoded.detail }, 'malformed message');
      this.end({ kind: 'error', error: decoded.error });
      return;
    }
    const message = decoded.message;
    // What the other side gets is what was checked: the same bytes when they held nothing
    // else, or the message encoded afresh.
    const forwarded: Forwarded = decoded.exact ? { receivedAtMs, bytes: data } : { receivedAtMs };
    this.current = data;
    const phase = this.phase();
    if (phase === undefined || !isPeerMessageType(message.type) || !allows(TEXT_RULES[message.type], this.roleSaid, phase, this.sealing())) {
      this.tellError(Errors.PROTO_UNEXPECTED);
      return;
    }
    // The table guarantees the handler matches the type; TypeScript cannot see through the index.
    (this.handlers[message.type] as (m: ControlMessage, f: Forwarded) => void)(message, forwarded);
  }

  /** One handler per message a peer may send (peer-message-rules.ts says who and when). */
  private readonly handlers: Handlers = {
    hello: (message) => {
      if (!isSupportedVersion(message.version)) {
        this.end({ kind: 'error', error: Errors.PROTO_VERSION });
        return;
      }
      if (this.deps.options.requireE2e && !versionSeals(message.version)) {
        this.end({ kind: 'error', error: Errors.E2E_REQUIRED });
        return;
      }
      this.versionSaid = message.version;
      this.helloBytes = this.current;
      this.roleSaid = message.role;
      this.featuresSaid = message.features ?? [];
      this.log = this.log.child({ role: message.role });
      this.state = 'ready';
      this.startTimer(this.onIdleTimeout, this.deps.options.idleTimeoutMs);
      const { options } = this.deps;
      this.write(encodeControl({
        type: 'welcome', version: message.version, heartbeatMs: options.heartbeatIntervalMs,
        maxFrameBytes: options.maxFrameBytes, maxTextBytes: options.maxTextBytes,
        ...(versionSeals(message.version) && options.maxFileBytesPerSession > 0 ? { maxFileBytes: options.maxFileBytesPerSession } : {}),
        // What it routes sealed beyond version 2's first types: peers send those only to a relay that says so.
        ...(versionSeals(message.version) ? { features: relayFeatures(options) } : {}),
      }), false, 'control');
    },
    register: (message) => {
      this.displayName = message.name;
      const cluster = this.deps.cluster;
      // Several nodes: the address's registrations on every node count.
      if (cluster === undefined) this.registerHere();
      else this.afterAsync(cluster.prepareRegistration(this.address), () => this.registerHere());
    },
    join: (message) => {
      // A signed-in technician is known by the account's name, whatever it typed.
      this.displayName = this.deps.signedIn?.displayName ?? message.name;
      if (this.deps.options.requireSignIn && this.deps.signedIn === undefined) {
        this.log.info({ why: Errors.SIGNIN_REQUIRED.code }, 'join refused');
        this.end({ kind: 'error', error: Errors.SIGNIN_REQUIRED });
        return;
      }
      const cluster = this.deps.cluster;
      if (cluster === undefined) this.joinHere(message.code);
      else this.routeThen(cluster.routeJoin(message.code, this.address, this.deps.relayed === true), () => this.joinHere(message.code));
    },
    resume: (message) => {
      const cluster = this.deps.cluster;
      if (cluster === undefined) this.resumeHere(message.token);
      else this.routeThen(cluster.routeResume(message.token, this.address, this.deps.relayed === true), () => this.resumeHere(message.token));
    },
    ack: (message, forwarded) => this.tellIfRefused(this.deps.hub.forwardRecordAck(this.session!, this, message, forwarded)),
    consent: (message) => {
      this.deps.hub.consent(this.session!, message.granted, message.viewOnly);
    },
    bye: () => {
      this.end({ kind: 'bye' });
    },
    input: (message, forwarded) => {
      const session = this.session!;
      // View-only is enforced here too, not only in the client: input never reaches it.
      if (session.viewOnly) {
        this.tellError(Errors.SESSION_VIEW_ONLY);
        return;
      }
      this.deps.hub.forwardToClient(session, message, forwarded);
    },
    refresh: (message, forwarded) => this.deps.hub.forwardToClient(this.session!, message, forwarded),
    quality: (message, forwarded) => this.deps.hub.forwardToClient(this.session!, message, forwarded),
    'screen-info': (message, forwarded) => this.deps.hub.forwardToTechnician(this.session!, message, forwarded),
    'e2e-share': (message, forwarded) => this.tellIfRefused(this.deps.hub.agreementMessage(this.session!, this, message, forwarded)),
    'e2e-confirm': (message, forwarded) => this.tellIfRefused(this.deps.hub.agreementMessage(this.session!, this, message, forwarded)),
    'e2e-failed': (message) => this.deps.hub.verificationFailed(this.session!, message.reason),
    sealed: (message, forwarded) => {
      const session = this.session!;
      // The relay cannot read a sealed body, but it knows what kind of message it is.
      if (!allows(SEALED_RULES[message.inner], this.roleSaid, this.phase()!)) {
        this.tellError(Errors.PROTO_UNEXPECTED);
        return;
      }
      if (CONTROL_ONLY_SEALED.has(message.inner) && session.viewOnly) {
        this.tellError(Errors.SESSION_VIEW_ONLY);
        return;
      }
      this.tellIfRefused(this.deps.hub.forwardSealed(session, this, message, forwarded));
    },
  };

  /** A registration (or a new code) heard here: the hub's answer, shown once the cluster's directory has the code. */
  private registerHere(): void {
    const session = this.session;
    const result = session ? this.deps.hub.renewCode(session) : this.deps.hub.registerClient(this, this.address);
    if (!result.ok) {
      if (result.error.closeCode !== undefined) this.end({ kind: 'error', error: result.error });
      else this.tellError(result.error);
      return;
    }
    const { code, expiresAt, ttlMs } = result.value;
    if (!session) this.enterSession(result.value.session);
    const cluster = this.deps.cluster;
    if (cluster === undefined) {
      this.write(encodeControl({ type: 'code', code, expiresAt, ttlMs }), false, 'control');
      return;
    }
    // Shown only once the cluster's directory has it: a technician on another node finds it.
    this.afterAsync(cluster.claimed(code), (mine) => {
      if (this.session === undefined || this.session.code !== code) return;
      const issued = mine ? result : this.deps.hub.renewCode(this.session);
      if (!issued.ok) {
        this.tellError(issued.error);
        return;
      }
      this.write(encodeControl({ type: 'code', code: issued.value.code, expiresAt: issued.value.expiresAt, ttlMs: issued.value.ttlMs }), false, 'control');
    });
  }

  private joinHere(code: string): void {
    const result = this.deps.hub.join(this, code, this.address);
    if (!result.ok) {
      this.log.info({ why: result.error.code }, 'join refused');
      this.end({ kind: 'error', error: result.error });
      return;
    }
    this.enterSession(result.value);
  }

  private resumeHere(token: string): void {
    const result = this.deps.hub.resume(this, token, this.address);
    if (!result.ok) {
      // Never the credential itself in the log: only that it was refused, and why.
      this.log.info({ why: result.error.code }, 'resume refused');
      this.end({ kind: 'error', error: result.error });
      return;
    }
    this.enterSession(result.value);
  }

  /** Serves the message being handled where the cluster says: here (`here`), on its session's node, or not at all. */
  private routeThen(decision: Promise<Route>, here: () => void): void {
    const message = this.current!;
    this.afterAsync(decision.catch((): Route => ({ kind: 'here' })), (route) => {
      if (route.kind === 'refuse') this.end({ kind: 'error', error: route.error });
      else if (route.kind === 'node') this.becomeLink(route.nodeId, route.url, message);
      else here();
    });
  }

  /**
   * Runs `then` once `work` settles, holding what the peer sends meanwhile (bounded), and
   * handles the held messages afterwards in order, as if they had just arrived.
   */
  private afterAsync<T>(work: Promise<T>, then: (value: T) => void): void {
    this.held = [];
    void work.then((value) => {
      const held = this.held ?? [];
      this.held = undefined;
      if (this.state === 'closed') return;
      try {
        then(value);
      } catch (err) {
        this.deps.metrics.peerFailure();
        this.log.error({ err }, 'handling a message failed; closing this socket');
        this.end({ kind: 'error', error: Errors.SERVER_INTERNAL });
        return;
      }
      if (this.link !== undefined) {
        // Within the routing bound (32 small messages), far below what the link holds.
        for (const [data, binary] of held) this.link.fromPeer(data, binary);
        return;
      }
      for (const [data, binary] of held) this.onSocketMessage(data, binary);
    });
  }

  /** From now on this peer is served by the node that holds its session: bytes pass unread both ways. */
  private becomeLink(nodeId: string, url: string, first: Buffer): void {
    const cluster = this.deps.cluster!;
    const { options } = this.deps;
    this.state = 'linked';
    this.clearTimer();
    // The owner node applies the real size limits; here anything up to a frame may pass.
    this.setTransportLimit(Math.max(options.maxFrameBytes, options.maxTextBytes) + TRANSPORT_SLACK_BYTES);
    this.log.info({ node: nodeId }, 'relayed to the node that holds the session');
    this.link = new NodeLink(this.ws, {
      nodeUrl: url, secret: cluster.secret, peerAddress: this.address, hello: this.helloBytes!, pending: [[first, false]],
      ...(this.deps.cookie !== undefined ? { cookie: this.deps.cookie } : {}),
      maxPayloadBytes: Math.max(options.maxFrameBytes, options.maxTextBytes) + TRANSPORT_SLACK_BYTES,
      backlogBytes: this.backlogLimitBytes, earlyBytes: options.preSessionMessageBytes * MAX_HELD_WHILE_ROUTING,
      logger: this.log, onUnreachable: () => cluster.nodeUnreachable(nodeId),
    });
  }

  private tellIfRefused(result: { readonly ok: boolean; readonly error?: ErrorSpec }): void {
    if (!result.ok && result.error !== undefined) this.tellError(result.error);
  }

  private onBinary(data: Buffer, receivedAtMs: number): void {
    // Route on the envelope only: the image is never decoded or copied here (and in a
    // sealed session it could not be: SEALED must be set, and is checked with the envelope).
    const envelope = checkEnvelope(data, this.session?.sealed ? 'sealed' : 'plain');
    const rule = typeof envelope === 'string' ? undefined : BINARY_RULES[envelope.kind];
    if (typeof envelope === 'string' || rule === undefined || (rule.from !== 'any' && rule.from !== this.roleSaid)) {
      this.log.debug({ detail: typeof envelope === 'string' ? envelope : 'wrong role for this kind' }, 'malformed binary message');
      this.end({ kind: 'error', error: Errors.PROTO_MALFORMED });
      return;
    }
    const phase = this.phase();
    if (phase === undefined || !allows(rule, this.roleSaid, phase)) {
      this.tellError(Errors.PROTO_UNEXPECTED);
      return;
    }
    const session = this.session!;
    if (envelope.kind === BinaryKind.FRAME) {
      if (this.deps.metrics.sampleNow()) this.deps.metrics.frameReceived(data.byteLength);
      this.deps.hub.forwardFrame(session, data, envelope.flags, receivedAtMs);
    } else if (envelope.kind === BinaryKind.FILE_CHUNK) {
      this.deps.hub.forwardFileChunk(session, this, data, receivedAtMs);
    } else {
      this.deps.hub.forwardAck(session, data, receivedAtMs);
    }
  }

  // ---- state and teardown --------------------------------------------------------

  /** Where this peer stands for the send rules; undefined once closed. */
  private phase(): Phase | undefined {
    switch (this.state) {
      case 'handshake':
      case 'ready':
        return this.state;
      case 'in-session': {
        const state = this.session?.state;
        return state === undefined || state === 'ended' ? undefined : state;
      }
      case 'linked':
      case 'closed':
        return undefined;
      default: {
        const unreachable: never = this.state;
        return unreachable;
      }
    }
  }

  /** Whether the session this peer is in seals; undefined outside a session. */
  private sealing(): Sealing | undefined {
    if (this.state !== 'in-session' || this.session === undefined) return undefined;
    return this.session.sealed ? 'sealed' : 'plain';
  }

  private enterSession(session: Session): void {
    // Joining can end at once (the other side was ended meanwhile) and end us with it.
    if (this.state !== 'ready') return;
    this.state = 'in-session';
    this.session = session;
    this.clearTimer();
    this.log = this.log.child({ sessionId: session.logId });
  }

  /**
   * The one place the state becomes closed: timers and listeners go, held frames are
   * dropped, and a session still running learns that this side left.
   */
  private closeState(ending: Ending, reason: PeerLeftReason = leaveReason(ending)): void {
    this.state = 'closed';
    this.clearTimer();
    this.gate.close();
    this.ws.off('message', this.onSocketMessage);
    this.ws.off('pong', this.onSocketPong);
    this.link?.close();
    if (this.session) this.deps.hub.leave(this.session, this, reason);
  }

  /**
   * The largest message this peer may send now. Before pairing only small control
   * messages are allowed, so an unpaired socket (cheap to open) can make the relay hold
   * only a few KiB; once paired, a client's frames up to maxFrameBytes, and text up to
   * maxTextBytes from either side.
   */
  private messageLimit(paired = false, binary = true): number {
    const { options } = this.deps;
    if (!paired) return Math.min(options.preSessionMessageBytes, options.maxTextBytes);
    if (!binary) return options.maxTextBytes;
    // A technician sends binary FRAME_ACKs and, to a customer who takes files, sealed FILE_CHUNKs.
    return this.roleSaid === 'client' ? Math.max(options.maxFrameBytes, options.maxTextBytes) : Math.max(options.maxTextBytes, MAX_SEALED_FILE_CHUNK_BYTES);
  }

  /**
   * What ws buffers of one message before refusing it with 1009. ws takes this limit per
   * server (maxPayload); the receiver keeps it per socket, so it is raised here when the
   * socket is paired. A test (limits.test.ts) fails if ws stops honouring it.
   */
  private setTransportLimit(bytes: number): void {
    const receiver = (this.ws as unknown as { _receiver?: ReceiverLimit })._receiver;
    if (receiver !== undefined && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
  }

  /** Ends the session when this peer's unsent bytes passed the limit; true when it did. */
  private endIfNotReading(): boolean {
    if (this.ws.bufferedAmount <= this.backlogLimitBytes) return false;
    // The session ends for both sides: the other one cannot be served by a peer that does not read.
    if (this.session) this.deps.hub.endWithError(this.session, Errors.LIMIT_BACKLOG);
    else this.end({ kind: 'error', error: Errors.LIMIT_BACKLOG });
    return true;
  }

  /** An `error` message; the socket stays open unless the caller ends it. */
  private tellError(error: ErrorSpec): void {
    // A peer that sends and never reads must not pile up its own error replies.
    if (this.state !== 'closed' && this.endIfNotReading()) return;
    this.deps.metrics.errorSent(error.code);
    this.write(encodeControl({ type: 'error', code: error.code, message: error.message }), false, 'control');
  }

  /**
   * Every write goes through here: a completed write may let a held frame out, and for a
   * sample of forwarded messages the latency is recorded once their bytes left the
   * process (a callback of its own per message would cost more than the forwarding).
   */
  private write(data: Uint8Array | string, binary: boolean, kind: ForwardedKind, receivedAtMs?: number, written = this.gate.onWritten): void {
    if (receivedAtMs === undefined || !this.deps.metrics.sampleNow()) {
      this.ws.send(data, { binary }, written);
      return;
    }
    this.ws.send(data, { binary }, (err) => {
      if (err === undefined || err === null) this.deps.metrics.forwarded(kind, receivedAtMs, monotonicMs());
      written();
    });
  }

  private startTimer(fn: () => void, ms: number): void {
    this.clearTimer();
    this.stateTimer = setTimeout(fn, ms);
  }

  private clearTimer(): void {
    if (this.stateTimer !== undefined) clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
  }
}
