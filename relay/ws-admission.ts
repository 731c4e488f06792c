import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeControl, Errors } from '../protocol';
import { peerAddress } from './http-util';
import type { Hub } from './hub';
import type { RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import { WsConnection } from './ws-connection';

/** The WebSocket endpoint. */
export const WS_PATH = '/ws';
/** Slack above maxFrameBytes before `ws` itself refuses a message (close 1009). */
const TRANSPORT_SLACK_BYTES = 64 * 1024;

export interface WsAdmissionDeps {
  readonly hub: Hub;
  readonly options: RelayOptions;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
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
  /** Set while shutting down: called when the last socket is gone. */
  private onEmpty: (() => void) | undefined;

  constructor(private readonly deps: WsAdmissionDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.options.maxFrameBytes + TRANSPORT_SLACK_BYTES,
      perMessageDeflate: false, // JPEG does not compress; deflate would only cost CPU and memory
      clientTracking: false,
    });
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
    if (pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(ws, req));
  };

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

  private forget(conn: WsConnection): void {
    this.open.delete(conn);
    if (this.open.size === 0) this.onEmpty?.();
  }

  private admit(ws: WebSocket, req: IncomingMessage): void {
    const { options, hub, metrics, logger } = this.deps;
    if (this.open.size >= options.maxSockets) {
      const e = Errors.LIMIT_SERVER_FULL;
      metrics.errorSent(e.code);
      ws.send(encodeControl({ type: 'error', code: e.code, message: e.message }));
      ws.close(e.closeCode, e.code);
      return;
    }
    const conn = new WsConnection(ws, peerAddress(req, options.trustProxy), {
      hub, options, metrics, logger, onClosed: (closed) => this.forget(closed),
    });
    this.open.add(conn);
  }
}
