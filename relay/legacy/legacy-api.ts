import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  ACCESS_CODE_PATTERN, encodeFrame, Errors, FrameFlag, MAX_COORDINATE, parseJsonObject, sniffImageSize,
  type ErrorSpec, type Role,
} from '../../protocol';
import { randomLegacyPeerId } from '../access-codes';
import type { Clock } from '../clock';
import { peerAddress, type TrustedProxies } from '../client-address';
import { readBody, sendError, sendJson } from '../http-util';
import type { Hub } from '../hub';
import type { RelayOptions } from '../options';
import { LegacyPeer } from './legacy-peer';
import type { ClusterRouter, Route } from '../cluster/cluster-router';
import type { InternalAuth } from '../cluster/internal-auth';
import { forwardLegacyCall } from '../cluster/legacy-forward';
import { legacyToInputs, type LegacyObject } from './legacy-translate';

/** Body limit for every legacy call except send_message, which carries screenshots. */
const SMALL_BODY_BYTES = 16 * 1024;
const MAX_CLIENT_ID_LENGTH = 128;
const MAX_NAME_LENGTH = 64;
const PREFIX = '/api/relay/';

export interface LegacyApiDeps {
  readonly hub: Hub;
  readonly options: RelayOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly proxies: TrustedProxies;
  /** Several nodes: calls for a code or peer of another node are passed to it. */
  readonly cluster?: { readonly router: ClusterRouter; readonly auth: InternalAuth };
}

/** How much longer than the longest long poll a call passed to another node may take. */
const FORWARD_SLACK_MS = 10_000;

class HttpError extends Error {
  constructor(readonly spec: ErrorSpec, detail: string) {
    super(detail);
  }
}

function badRequest(detail: string): never {
  throw new HttpError(Errors.HTTP_BAD_REQUEST, detail);
}

function field(body: LegacyObject, key: string, max: number, pattern?: RegExp): string {
  const v = body[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) badRequest(`${key}: expected a string of 1–${max} characters`);
  if (pattern && !pattern.test(v)) badRequest(`${key}: wrong format`);
  return v;
}

function role(body: LegacyObject, key: string): Role {
  const v = body[key];
  if (v !== 'client' && v !== 'technician') badRequest(`${key}: expected "client" or "technician"`);
  return v;
}

function sameSecret(given: string, expected: string): boolean {
  // Hash both so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The old system's polling API (`/api/relay/*`, with or without the trailing slash),
 * kept byte-compatible in paths and JSON. Each polling peer is a LegacyPeer of the hub,
 * so it can be paired with a WebSocket peer as well as with another legacy peer.
 *
 * Each peer gets its own unguessable id, returned as its `session_id`: it speaks for that
 * peer's role in that one pairing only. A client's id cannot act as the technician, and a
 * refused, timed-out or ended peer's id can only read its last notices. Only polls
 * (`receive_messages`) count as a sign of life, and a peer's sends are rate-limited.
 */
export class LegacyApi {
  /** Every legacy peer by its id: live ones, and ended ones for `legacyGraceMs`. */
  private readonly peers = new Map<string, LegacyPeer>();
  private readonly log: Logger;

  constructor(private readonly deps: LegacyApiDeps) {
    this.log = deps.logger.child({ area: 'legacy' });
  }

  /** True when the path belongs to this API (whether or not the call succeeds). */
  handles(pathname: string): boolean {
    return pathname.startsWith(PREFIX);
  }

  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const route = pathname.slice(PREFIX.length).replace(/\/$/, '');
    try {
      switch (route) {
        case 'list_sessions':
          if (req.method !== 'GET' && req.method !== 'POST') throw new HttpError(Errors.HTTP_METHOD, route);
          return this.listSessions(req, res);
        case 'register_client':
        case 'connect_technician':
        case 'send_message':
        case 'receive_messages':
        case 'disconnect': {
          if (req.method !== 'POST') throw new HttpError(Errors.HTTP_METHOD, route);
          const limit = route === 'send_message' ? this.deps.options.maxLegacyBodyBytes : SMALL_BODY_BYTES;
          const read = await readBody(req, limit);
          if (!read.ok) return sendError(res, read.error, read.error === Errors.HTTP_BODY_TOO_BIG);
          const body = parseJsonObject(read.text);
          if (body === undefined) badRequest('not a JSON object');
          if (this.deps.cluster !== undefined && await this.servedElsewhere(route, body, read.text, pathname, req, res)) return;
          return await this.dispatch(route, body, req, res);
        }
        default:
          throw new HttpError(Errors.HTTP_NOT_FOUND, route);
      }
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      this.log.debug({ route, errorCode: e.spec.code, detail: e.message }, 'legacy call refused');
      sendError(res, e.spec);
    }
  }

  /** Ends the parts of peers that stopped polling, and forgets ended peers after the grace time. */
  sweep(): void {
    const now = this.deps.clock.now();
    for (const peer of [...this.peers.values()]) {
      if (peer.endedAt !== undefined) {
        if (now - peer.endedAt >= this.deps.options.legacyGraceMs) this.forget(peer);
        continue;
      }
      if (peer.polling || peer.session === undefined) continue;
      if (now - peer.lastSeenAt >= this.deps.options.legacyPollTimeoutMs) {
        this.log.info({ sessionId: peer.session.logId, role: peer.role }, 'legacy peer stopped polling');
        this.deps.hub.leave(peer.session, peer, 'timeout');
        peer.end({ kind: 'peer-left', reason: 'timeout' });
      }
    }
  }

  /** Answers every open long poll (shutdown). */
  close(): void {
    for (const peer of this.peers.values()) peer.release();
  }

  /** Legacy peers known: live ones and ended ones in their grace time. */
  get size(): number {
    return this.peers.size;
  }

  /** A peer by its id (for tests). */
  peer(id: string): LegacyPeer | undefined {
    return this.peers.get(id);
  }

  // ---- several nodes ---------------------------------------------------------------

  /**
   * Passes the call to the node that holds its code or peer, if that is another node; true
   * when it did (and answered). A call that says it comes from a node but has the wrong
   * secret is refused: nobody but a node may say whose address a call is from.
   */
  private async servedElsewhere(route: string, body: LegacyObject, text: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const cluster = this.deps.cluster!;
    const verdict = cluster.auth.verdict(req);
    if (verdict === 'forged') {
      this.log.warn({ route }, 'legacy call with a wrong cluster secret refused');
      throw new HttpError(Errors.HTTP_BAD_REQUEST, 'cluster secret');
    }
    const relayed = verdict === 'node';
    const address = this.addressOf(req);
    const code = typeof body.access_code === 'string' && ACCESS_CODE_PATTERN.test(body.access_code) ? body.access_code : undefined;
    const peerId = typeof body.session_id === 'string' && body.session_id.length <= 128 ? body.session_id : undefined;
    let where: Route = { kind: 'here' };
    if (route === 'connect_technician' && code !== undefined) where = await cluster.router.routeJoin(code, address, relayed);
    else if (route === 'register_client' && code !== undefined) where = await cluster.router.routeRegister(code, address, relayed);
    else if (peerId !== undefined && route !== 'register_client' && route !== 'connect_technician') {
      where = await cluster.router.routeLegacyPeer(peerId, this.peers.has(peerId), relayed);
    }
    if (where.kind === 'here') return false;
    if (where.kind === 'refuse') throw new HttpError(where.error, 'refused by the cluster');
    const answered = await forwardLegacyCall({
      nodeUrl: where.url, pathname, body: text, peerAddress: address, secret: cluster.router.secret,
      timeoutMs: this.deps.options.legacyMaxWaitMs + FORWARD_SLACK_MS,
    }, res);
    if (answered) return true;
    cluster.router.nodeUnreachable(where.nodeId);
    // Its node died: the code, or the peer's part, died with it.
    throw new HttpError(code !== undefined ? Errors.CODE_INVALID : Errors.SESSION_ENDED, 'owner node unreachable');
  }

  /** Who a call is from: the address another node vouches for, else the socket's (or a trusted proxy's). */
  private addressOf(req: IncomingMessage): string {
    return this.deps.cluster?.auth.forwardedAddress(req) ?? peerAddress(req, this.deps.proxies);
  }

  // ---- routes --------------------------------------------------------------------

  private async dispatch(route: string, body: LegacyObject, req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (route) {
      case 'register_client': return this.registerClient(body, req, res);
      case 'connect_technician': return this.connectTechnician(body, req, res);
      case 'send_message': return this.sendMessage(body, res);
      case 'receive_messages': return this.receiveMessages(body, res);
      case 'disconnect': return this.disconnect(body, res);
      default: throw new HttpError(Errors.HTTP_NOT_FOUND, route);
    }
  }

  private async registerClient(body: LegacyObject, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.refuseUnlessUnsealedAllowed();
    const clientId = field(body, 'client_id', MAX_CLIENT_ID_LENGTH);
    const code = field(body, 'access_code', 6, ACCESS_CODE_PATTERN);
    const peer = this.newPeer('client', clientId.slice(0, MAX_NAME_LENGTH));
    const result = this.deps.hub.registerClient(peer, this.addressOf(req), code);
    if (!result.ok) throw new HttpError(result.error, 'register refused');
    // Several nodes: the code is this node's once the directory says so (another node may have claimed it just now).
    if (this.deps.cluster !== undefined && !(await this.deps.cluster.router.claimed(code))) {
      this.deps.hub.endWithError(result.value.session, Errors.CODE_TAKEN);
      throw new HttpError(Errors.CODE_TAKEN, 'taken on another node');
    }
    peer.attach(result.value.session);
    this.remember(peer);
    sendJson(res, 200, { success: true, session_id: peer.id, expires_at: result.value.expiresAt });
  }

  private connectTechnician(body: LegacyObject, req: IncomingMessage, res: ServerResponse): void {
    this.refuseUnlessUnsealedAllowed();
    // The old programs have no way to sign in: where only signed-in technicians may join, they may not.
    if (this.deps.options.requireSignIn) throw new HttpError(Errors.SIGNIN_REQUIRED, 'legacy technicians cannot sign in');
    const code = field(body, 'access_code', 6, ACCESS_CODE_PATTERN);
    const nameValue = body.technician_name ?? body.name;
    const name = typeof nameValue === 'string' && nameValue.length > 0 ? nameValue.slice(0, MAX_NAME_LENGTH) : 'Technician';
    const peer = this.newPeer('technician', name);
    const result = this.deps.hub.join(peer, code, this.addressOf(req));
    if (!result.ok) throw new HttpError(result.error, 'join refused');
    const session = result.value;
    peer.attach(session);
    this.remember(peer);
    sendJson(res, 200, {
      success: true, session_id: peer.id, status: session.state === 'paired' ? 'paired' : 'pending_consent',
    });
  }

  /** A legacy peer can never seal: a relay that pairs only sealed peers turns it away before anything else. */
  private refuseUnlessUnsealedAllowed(): void {
    if (this.deps.options.requireE2e) throw new HttpError(Errors.E2E_REQUIRED, 'legacy peers cannot seal');
  }

  private sendMessage(body: LegacyObject, res: ServerResponse): void {
    const sender = role(body, 'sender');
    const peer = this.peerFor(body, sender);
    const message = body.message;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) badRequest('message: expected an object');
    const m = message as LegacyObject;
    const isScreen = sender === 'client' && m.type === 'screen';
    const bytes = isScreen ? (typeof m.data === 'string' ? m.data.length : 0) : JSON.stringify(m).length;
    // Only screens may be large; everything else an old program sends is a few hundred bytes.
    if (!isScreen && bytes > this.deps.options.maxLegacyMessageBytes) throw new HttpError(Errors.LIMIT_MESSAGE_SIZE, 'message');
    if (!peer.allowSend(bytes)) throw new HttpError(Errors.LIMIT_RATE, 'send rate');
    const session = peer.session!;
    const other = this.legacyOtherSide(peer);
    let delivered: boolean;
    if (sender === 'client') {
      delivered = isScreen ? this.clientScreen(peer, m, other) : this.passThrough(peer, m, other);
    } else {
      if (session.state !== 'paired') throw new HttpError(Errors.PROTO_UNEXPECTED, 'not paired yet');
      if (session.viewOnly) throw new HttpError(Errors.SESSION_VIEW_ONLY, 'view only');
      const otherLink = session.otherSide(peer);
      delivered = otherLink === undefined ? false : other !== undefined ? this.passThrough(peer, m, other) : this.technicianInput(peer, m);
    }
    sendJson(res, 200, { success: true, delivered });
  }

  private async receiveMessages(body: LegacyObject, res: ServerResponse): Promise<void> {
    const receiver = role(body, 'receiver');
    const peer = this.peerFor(body, receiver, true);
    const wait = body.wait_ms ?? 0;
    if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0) badRequest('wait_ms: expected a number of milliseconds');
    if (peer.endedAt !== undefined && !peer.hasPending) throw new HttpError(Errors.SESSION_ENDED, 'ended');
    const waitMs = Math.min(Math.floor(wait), this.deps.options.legacyMaxWaitMs);
    // A poller that hangs up (client timeout, network drop) must not take messages with it.
    const abandoned = new AbortController();
    const onClose = (): void => abandoned.abort();
    res.once('close', onClose);
    if (res.destroyed || res.socket === null || res.socket.destroyed) abandoned.abort();
    const messages = await peer.receive(waitMs, abandoned.signal);
    res.off('close', onClose);
    sendJson(res, 200, { success: true, messages });
  }

  private disconnect(body: LegacyObject, res: ServerResponse): void {
    const peer = this.peers.get(field(body, 'session_id', 128));
    const who = body.sender ?? body.role;
    if (peer === undefined || (who !== undefined && who !== peer.role)) throw new HttpError(Errors.SESSION_UNKNOWN, 'unknown');
    if (peer.session !== undefined && peer.endedAt === undefined) {
      this.deps.hub.leave(peer.session, peer, 'bye');
      peer.end({ kind: 'peer-left', reason: 'bye' });
    }
    sendJson(res, 200, { success: true });
  }

  private listSessions(req: IncomingMessage, res: ServerResponse): void {
    const counts = this.deps.hub.counts();
    const base = {
      success: true,
      // The old API knows no key agreement: a session agreeing on keys is one whose customer is about to be asked.
      counts: { waiting: counts.waiting, pending_consent: counts.agreeing + counts.pendingConsent, active: counts.paired },
      total: counts.waiting + counts.agreeing + counts.pendingConsent + counts.paired,
    };
    const token = this.deps.options.adminToken;
    const auth = req.headers.authorization;
    const given = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : req.headers['x-admin-token'];
    if (token === undefined || typeof given !== 'string' || !sameSecret(given, token)) {
      sendJson(res, 200, base);
      return;
    }
    const sessions = this.deps.hub.summaries().map((s) => ({
      client_id: s.clientId, technician: s.technicianName ?? null, state: s.state, age_seconds: s.ageSeconds,
      client_legacy: s.clientLegacy, technician_legacy: s.technicianLegacy ?? null, view_only: s.viewOnly,
    }));
    sendJson(res, 200, { ...base, sessions });
  }

  // ---- helpers -------------------------------------------------------------------

  private newPeer(peerRole: Role, name: string): LegacyPeer {
    const { options } = this.deps;
    return new LegacyPeer(randomLegacyPeerId(), peerRole, name, {
      now: () => this.deps.clock.now(),
      maxQueue: options.maxLegacyQueue,
      maxQueueBytes: options.maxLegacyQueueBytes,
      sendsPerSecond: options.legacySendsPerSecond,
      bytesPerSecond: options.maxBytesPerSecond,
      onOverflow: (peer) => {
        if (peer.session) this.deps.hub.endWithError(peer.session, Errors.LIMIT_BACKLOG);
      },
      onScreenTaken: (peer, ack) => {
        if (peer.session) this.deps.hub.forwardAck(peer.session, ack);
      },
      onPartialFrame: (peer) => {
        if (peer.session) this.deps.hub.frameDropped(peer.session);
      },
    });
  }

  /**
   * The legacy peer a call speaks for: the id must be a peer's, of the role the call
   * names. A peer whose part ended (refused, timed out, left) may still read its last
   * notices, and do nothing else.
   */
  private peerFor(body: LegacyObject, peerRole: Role, allowEnded = false): LegacyPeer {
    const peer = this.peers.get(field(body, 'session_id', 128));
    if (peer === undefined || peer.role !== peerRole || peer.session === undefined) throw new HttpError(Errors.SESSION_UNKNOWN, 'unknown');
    if (peer.endedAt !== undefined && !allowEnded) throw new HttpError(Errors.SESSION_ENDED, 'ended');
    return peer;
  }

  /** The other side of a legacy peer's session when that side polls too. */
  private legacyOtherSide(peer: LegacyPeer): LegacyPeer | undefined {
    const other = peer.session?.otherSide(peer);
    return other instanceof LegacyPeer ? other : undefined;
  }

  /** A legacy client's screenshot: as is to a legacy technician, as a binary frame to a WebSocket one. */
  private clientScreen(peer: LegacyPeer, m: LegacyObject, other: LegacyPeer | undefined): boolean {
    if (typeof m.data !== 'string' || m.data.length === 0) badRequest('message.data: expected base64 image data');
    const session = peer.session!;
    if (session.state !== 'paired') return false; // nobody to show it to yet
    if (other !== undefined) {
      other.deliver({ sender: 'client', message: m });
      return true;
    }
    const image = Buffer.from(m.data, 'base64');
    const size = sniffImageSize(image);
    if (size === undefined) badRequest('message.data: not a JPEG or PNG image');
    if (size.width > MAX_COORDINATE || size.height > MAX_COORDINATE) badRequest('message.data: image too large');
    if (image.byteLength + 64 > this.deps.options.maxFrameBytes) throw new HttpError(Errors.LIMIT_MESSAGE_SIZE, 'frame');
    const frame = encodeFrame({
      flags: FrameFlag.FULL | FrameFlag.LAST, seq: peer.nextSeq(), captureTimeMs: this.deps.clock.now(), displayId: 0,
      format: size.format, rectIndex: 0, x: 0, y: 0, width: size.width, height: size.height,
      screenWidth: size.width, screenHeight: size.height,
    }, image);
    session.countSent('client', frame.byteLength);
    this.deps.hub.forwardFrame(session, frame, FrameFlag.FULL | FrameFlag.LAST);
    return true;
  }

  /** Between two legacy peers nothing is translated, so unknown old actions keep working. */
  private passThrough(peer: LegacyPeer, m: LegacyObject, other: LegacyPeer | undefined): boolean {
    if (other === undefined || peer.session?.state !== 'paired') return false;
    other.deliver({ sender: peer.role, message: m });
    return true;
  }

  /** A legacy technician's action to a WebSocket client, as protocol input events. */
  private technicianInput(peer: LegacyPeer, m: LegacyObject): boolean {
    const events = legacyToInputs(m);
    if (events === undefined) badRequest('message: not a known action with valid fields');
    const session = peer.session!;
    for (const event of events) {
      const input = { type: 'input', seq: peer.nextSeq(), event } as const;
      session.countSent('technician', JSON.stringify(input).length);
      this.deps.hub.forwardToClient(session, input);
    }
    return true;
  }

  /**
   * Keeps the peer; past four per session allowed (two sides, and ended ones in their
   * grace time) the oldest ended peers go first, so the map cannot grow without bound.
   */
  private remember(peer: LegacyPeer): void {
    this.peers.set(peer.id, peer);
    // Other nodes pass this peer's calls here; the entry outlives the longest session.
    this.deps.cluster?.router.legacyPeerKnown(peer.id, this.deps.options.maxSessionAgeMs + this.deps.options.legacyGraceMs);
    const limit = this.deps.options.maxSessions * 4;
    if (this.peers.size <= limit) return;
    for (const old of this.peers.values()) {
      if (this.peers.size <= limit) break;
      if (old.endedAt !== undefined) this.forget(old);
    }
  }

  private forget(peer: LegacyPeer): void {
    peer.release();
    this.peers.delete(peer.id);
    this.deps.cluster?.router.legacyPeerGone(peer.id);
  }
}
