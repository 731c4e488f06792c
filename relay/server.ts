import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import pino, { type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, encodeControl, Errors, PROTOCOL_VERSION } from '../protocol';
import { SYSTEM_CLOCK, type Clock } from './clock';
import { peerAddress, sendError, sendJson } from './http-util';
import { Hub } from './hub';
import { LegacyApi } from './legacy/legacy-api';
import { resolveRelayOptions, type RelayOptions } from './options';
import type { SessionRegistry } from './session-registry';
import { findTechnicianDir, serveStatic } from './static-files';
import { WsConnection } from './ws-connection';

/** The WebSocket endpoint. */
export const WS_PATH = '/ws';
/** Slack above maxFrameBytes before `ws` itself refuses a message (close 1009). */
const TRANSPORT_SLACK_BYTES = 64 * 1024;

export interface RelayDeps {
  readonly options?: Partial<RelayOptions>;
  /** Root logger; a silent one when absent. */
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly registry?: SessionRegistry;
}

export interface Relay {
  /** `http(s)://host:port` as bound (127.0.0.1 when listening on all interfaces). */
  readonly url: string;
  /** `ws(s)://host:port/ws`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly options: RelayOptions;
  readonly hub: Hub;
  readonly legacy: LegacyApi;
  /** Open WebSocket connections. */
  readonly connections: ReadonlySet<WsConnection>;
  /** Runs the expiry checks now (they also run every `sweepIntervalMs`). */
  sweep(): void;
  close(): Promise<void>;
}

/**
 * Starts a relay: one HTTP(S) server carrying the WebSocket endpoint, the legacy API,
 * /healthz, /metrics and the technician page. Resolves once it listens.
 */
export async function createRelay(deps: RelayDeps = {}): Promise<Relay> {
  const options = resolveRelayOptions(deps.options);
  const logger = deps.logger ?? pino({ level: 'silent' });
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const hub = new Hub({ options, clock, logger, ...(deps.registry ? { registry: deps.registry } : {}) });
  const legacy = new LegacyApi({ hub, options, clock, logger });
  const connections = new Set<WsConnection>();
  const staticRoot = findTechnicianDir(options.staticDir, __dirname);
  const startedAt = Date.now();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes + TRANSPORT_SLACK_BYTES,
    perMessageDeflate: false, // JPEG does not compress; deflate would only cost CPU and memory
    clientTracking: false,
  });

  const onConnectionClosed = (conn: WsConnection): void => {
    connections.delete(conn);
  };

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const pathname = new URL(req.url ?? '/', 'http://relay').pathname;
    if (pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (connections.size >= options.maxSockets) {
        const e = Errors.LIMIT_SERVER_FULL;
        ws.send(encodeControl({ type: 'error', code: e.code, message: e.message }));
        ws.close(CloseCode.SERVER_FULL, e.code);
        return;
      }
      const conn = new WsConnection(ws, peerAddress(req, options.trustProxy), hub, options, logger, onConnectionClosed);
      connections.add(conn);
    });
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://relay').pathname;
    } catch {
      sendError(res, Errors.HTTP_BAD_REQUEST);
      return;
    }
    if (pathname === '/healthz') {
      const counts = hub.counts();
      sendJson(res, 200, {
        status: 'ok', protocolVersion: PROTOCOL_VERSION, uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
        sessions: counts, sockets: connections.size, legacySessions: legacy.size,
      });
      return;
    }
    if (pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metricsText());
      return;
    }
    if (legacy.handles(pathname)) {
      legacy.handle(req, res, pathname).catch((err: unknown) => {
        logger.error({ err }, 'legacy handler failed');
        sendError(res, Errors.HTTP_BAD_REQUEST);
      });
      return;
    }
    if (serveStatic(staticRoot, req, res, pathname)) return;
    sendError(res, Errors.HTTP_NOT_FOUND);
  }

  function metricsText(): string {
    const s = hub.stats();
    const mem = process.memoryUsage();
    return [
      `relay_sessions{state="waiting"} ${s.waiting}`,
      `relay_sessions{state="pending_consent"} ${s.pendingConsent}`,
      `relay_sessions{state="paired"} ${s.paired}`,
      `relay_sockets ${connections.size}`,
      `relay_frames_forwarded_total ${s.framesForwarded}`,
      `relay_frames_dropped_total ${s.framesDropped}`,
      `relay_resident_bytes ${mem.rss}`,
      '',
    ].join('\n');
  }

  const server: Server = options.tlsCertFile !== undefined && options.tlsKeyFile !== undefined
    ? createHttpsServer({ cert: readFileSync(options.tlsCertFile), key: readFileSync(options.tlsKeyFile) }, onRequest)
    : createHttpServer(onRequest);
  server.on('upgrade', onUpgrade);
  // Long polls may hold a request up to legacyMaxWaitMs; keep the default timeouts above it.
  server.requestTimeout = Math.max(server.requestTimeout, options.legacyMaxWaitMs + 30_000);

  const sweep = (): void => {
    hub.sweep();
    legacy.sweep();
  };
  const sweepTimer = setInterval(sweep, options.sweepIntervalMs);
  const heartbeatTimer = setInterval(() => {
    for (const conn of connections) conn.heartbeat();
  }, options.heartbeatIntervalMs);

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const secure = options.tlsCertFile !== undefined;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${secure ? 'https' : 'http'}://${hostPart}:${address.port}`;
  logger.info({ port: address.port, host: options.host, tls: secure, staticRoot: staticRoot ?? null }, 'relay listening');

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing ??= (async () => {
      clearInterval(sweepTimer);
      clearInterval(heartbeatTimer);
      // Snapshot first: ending a session removes its sockets from the set.
      const sockets = [...connections];
      hub.closeAll();
      legacy.close();
      for (const c of sockets) c.end({ kind: 'error', error: Errors.SERVER_SHUTDOWN });
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
        // Sockets that did not finish their closing handshake are cut.
        setTimeout(() => {
          for (const c of sockets) c.terminate();
        }, 200).unref();
      });
      wss.close();
    })();
    return closing;
  }

  return {
    url, wsUrl: `${secure ? 'wss' : 'ws'}://${hostPart}:${address.port}${WS_PATH}`, port: address.port,
    options, hub, legacy, connections, sweep, close,
  };
}
