import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeControl, Errors, type ErrorSpec } from '../protocol';
import { AddressCounter } from './address-counter';
import { addressKey, peerAddress, type TrustedProxies } from './client-address';
import type { Hub } from './hub';
import type { RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import { TRANSPORT_SLACK_BYTES, WsConnection } from './ws-connection';
import type { ClusterRouter } from './cluster/cluster-router';
import { INTERNAL_WS_PATH, type InternalAuth } from './cluster/internal-auth';

/** The WebSocket endpoint. */
export const WS_PATH = '/ws';
/** Longest wait for the database to say who a session cookie belongs to. */
const SIGN_IN_LOOKUP_TIMEOUT_MS = 3000;

export interface WsAdmissionDeps {
  /** Who a session cookie belongs to (technician accounts); absent without a database. */
  readonly signedInUser?: (req: IncomingMessage) => Promise<{ readonly id: number; readonly displayName: string } | undefined>;
  readonly hub: Hub;
  readonly options: RelayOptions;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  readonly proxies: TrustedProxies;
  /** Several nodes: the router, and the check of the internal endpoint's secret. */
  readonly cluster?: { readonly router: ClusterRouter; readonly auth: InternalAuth };
}

/**
 * Lets sockets in, in two steps as `ws` does (handleUpgrade, then completeUpgrade):
 * `handleUpgrade` decides on the HTTP request alone whether to speak WebSocket at all
 * (the path); once upgraded, `admit` decides whether this peer may stay (the socket
 * limit, told as a protocol error so the peer can say why) and makes it a WsConnection.
 * It also owns the set of open connections, which the heartbeat and shutdown walk.
 */
export class WsAdmission {
  private readonly open = new Set<WsConnection>();
  private readonly wss: WebSocketServer;
  /** Open sockets per address: one address cannot take every slot of maxSockets. */
  private readonly perAddress: AddressCounter;
  /** Set while shutting down: called when the last socket is gone. */
  private onEmpty: (() => void) | undefined;

  constructor(private readonly deps: WsAdmissionDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.options.maxFrameBytes + TRANSPORT_SLACK_BYTES,
      perMessageDeflate: false, // JPEG does not compress; deflate would only cost CPU and memory
      clientTracking: false,
    });
    this.perAddress = new AddressCounter(deps.options.maxConnectionsPerIp);
  }

  /** Open WebSocket connections (until their close event). */
  get connections(): ReadonlySet<WsConnection> {
    return this.open;
  }

  /** The HTTP server's `upgrade` event. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let pathname: string | undefined;
    try {
      pathname = new URL(req.url ?? '/', 'http://relay').pathname;
    } catch {
      pathname = undefined;
    }
    const cluster = this.deps.cluster;
    if (pathname === INTERNAL_WS_PATH && cluster !== undefined) {
      // Only another node, with the cluster secret, may relay a peer here and say its address.
      const address = cluster.auth.forwardedAddress(req);
      if (address === undefined) {
        this.deps.logger.warn({ address: addressKey(peerAddress(req, this.deps.proxies)), forged: cluster.auth.verdict(req) === 'forged' }, 'internal endpoint refused: no valid cluster secret');
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.upgrade(req, socket, head, address);
      return;
    }
    if (pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.upgrade(req, socket, head, undefined);
  };

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, relayedFor: string | undefined): void {
    const lookUp = this.deps.signedInUser;
    if (lookUp === undefined) {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(ws, req, undefined, relayedFor));
      return;
    }
    // The account is looked up before the upgrade completes: the client sends nothing
    // until it has the answer, so nothing it says is read before we know who it is. A
    // database that does not answer in time makes the technician anonymous, never a hang.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slow = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), SIGN_IN_LOOKUP_TIMEOUT_MS); });
    Promise.race([lookUp(req), slow]).catch((err: unknown) => {
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not look up a sign-in; taken as anonymous');
      return undefined;
    }).then((user) => {
      clearTimeout(timer);
      if (socket.destroyed) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(ws, req, user, relayedFor));
    }, () => socket.destroy());
  }

  /** Pings every socket; a socket that missed the last ping is ended. */
  heartbeat(): void {
    for (const conn of this.open) conn.heartbeat();
  }

  /**
   * Ends every socket (shutdown) and resolves once all are gone; those that have not
   * finished their closing handshake after `graceMs` are cut.
   */
  async closeAll(graceMs: number): Promise<void> {
    const sockets = [...this.open];
    for (const conn of sockets) conn.end({ kind: 'error', error: Errors.SERVER_SHUTDOWN });
    if (this.open.size > 0) {
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          for (const conn of this.open) conn.terminate();
        }, graceMs);
        this.onEmpty = () => {
          clearTimeout(timer);
          done();
        };
      });
    }
    this.wss.close();
  }

  private forget(conn: WsConnection, key: string): void {
    this.open.delete(conn);
    this.perAddress.remove(key);
    if (this.open.size === 0) this.onEmpty?.();
  }

  /** `relayedFor`: the address of a peer another node relays here (internal endpoint). */
  private admit(ws: WebSocket, req: IncomingMessage, signedIn: { readonly id: number; readonly displayName: string } | undefined, relayedFor?: string): void {
    const { options, hub, metrics, logger } = this.deps;
    const address = relayedFor ?? peerAddress(req, this.deps.proxies);
    const key = addressKey(address);
    if (this.open.size >= options.maxSockets) {
      this.refuse(ws, Errors.LIMIT_SERVER_FULL, key);
      return;
    }
    if (!this.perAddress.tryAdd(key)) {
      this.refuse(ws, Errors.LIMIT_ADDRESS, key);
      return;
    }
    const conn = new WsConnection(ws, address, {
      hub, options, metrics, logger, onClosed: (closed) => this.forget(closed, key), ...(signedIn !== undefined ? { signedIn } : {}),
      ...(this.deps.cluster ? { cluster: this.deps.cluster.router, relayed: relayedFor !== undefined } : {}),
      ...(typeof req.headers.cookie === 'string' ? { cookie: req.headers.cookie } : {}),
    });
    this.open.add(conn);
  }

  /** Tells a socket why it cannot stay, and closes it. */
  private refuse(ws: WebSocket, error: ErrorSpec, key: string): void {
    this.deps.metrics.errorSent(error.code);
    this.deps.logger.info({ address: key, why: error.code }, 'socket refused');
    ws.send(encodeControl({ type: 'error', code: error.code, message: error.message }));
    ws.close(error.closeCode, error.code);
  }
}
