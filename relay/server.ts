import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { TrustedProxies } from './client-address';
import { SYSTEM_CLOCK, type Clock } from './clock';
import { AccountRoutes, cookieValue, SESSION_COOKIE } from './accounts/account-routes';
import type { AccountService } from './accounts/sign-in';
import { WaitingBoard } from './accounts/waiting-board';
import type { SessionLedger } from './stats/session-ledger';
import { createRequestHandler } from './http-routes';
import { applyServerLimits } from './http-server-limits';
import { Hub } from './hub';
import { LegacyApi } from './legacy/legacy-api';
import { RelayMetrics } from './metrics';
import { RelayOptionsError, resolveRelayOptions, type RelayOptions } from './options';
import type { SessionRegistry } from './session-registry';
import { findTechnicianDir } from './static-files';
import { WS_PATH, WsAdmission } from './ws-admission';
import type { ClusterConfig } from './cluster/cluster-config';
import { startClusterNode, type ClusterNode } from './cluster/cluster-node';
import type { WsConnection } from './ws-connection';

export { WS_PATH };

/** How long shutdown waits for sockets to finish their closing handshake before cutting them. */
const SHUTDOWN_GRACE_MS = 200;

export interface RelayDeps {
  readonly options?: Partial<RelayOptions>;
  /** Root logger; a silent one when absent. */
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly registry?: SessionRegistry;
  /** The metrics' histograms record one forwarded message in this many (default 16; tests use 1). */
  readonly metricsSampleEvery?: number;
  /** Technician accounts (a database): sign-in under /api/account/. Absent, there are none. */
  readonly accounts?: AccountService;
  /** Where each ended session's record goes (the database): usage statistics. */
  readonly ledger?: SessionLedger;
  /** Several nodes sharing state through Redis (REDIS_URL); absent, the single in-memory relay. */
  readonly cluster?: ClusterConfig;
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
  /** This node's part of a cluster, when it is one. */
  readonly cluster: ClusterNode | undefined;
  /** Runs the expiry checks now (they also run every `sweepIntervalMs`). */
  sweep(): void;
  close(): Promise<void>;
}

/**
 * Starts a relay: one HTTP(S) server carrying the WebSocket endpoint (ws-admission.ts),
 * the plain HTTP routes (http-routes.ts: legacy API, /healthz, /metrics, the technician
 * page), and the timers of expiries and heartbeats. Resolves once it listens.
 */
export async function createRelay(deps: RelayDeps = {}): Promise<Relay> {
  const options = resolveRelayOptions(deps.options);
  const logger = deps.logger ?? pino({ level: 'silent' });
  const clock = deps.clock ?? SYSTEM_CLOCK;
  // Several nodes: the registry, the resume credentials and the guess limiter are the cluster's.
  const cluster = deps.cluster === undefined ? undefined : await startClusterNode(deps.cluster, options, clock, logger);
  const hub = new Hub({
    options, clock, logger, ...(deps.registry ? { registry: deps.registry } : {}), ...(deps.ledger ? { ledger: deps.ledger } : {}),
    ...(cluster ? { registry: cluster.registry, resumeCredentials: cluster.credentials, limiter: cluster.limiter, registrations: cluster.registrations, liveSessions: cluster.liveSessions } : {}),
  });
  cluster?.router.attach(hub);
  const clusterLinks = cluster ? { router: cluster.router, auth: cluster.auth } : undefined;
  const proxies = new TrustedProxies(options.trustProxy);
  const legacy = new LegacyApi({ hub, options, clock, logger, proxies, ...(clusterLinks ? { cluster: clusterLinks } : {}) });
  const metrics = new RelayMetrics({
    sessions: () => hub.counts(),
    // Read at scrape time, after `sockets` below exists.
    sockets: (): number => sockets.connections.size,
    legacyPeers: () => legacy.size,
    trackedAddresses: () => hub.totals().codeAttemptAddresses,
    framesForwarded: () => hub.totals().framesForwarded,
    framesDropped: () => hub.totals().framesDropped,
    resumes: () => hub.totals().resumes,
  }, deps.metricsSampleEvery);
  const accounts = deps.accounts;
  if (options.requireSignIn && accounts === undefined) throw new RelayOptionsError('requireSignIn needs technician accounts: a database (drop --no-database)');
  const sockets: WsAdmission = new WsAdmission({
    hub, options, metrics, logger, proxies, ...(clusterLinks ? { cluster: clusterLinks } : {}),
    ...(accounts ? { signedInUser: (req: IncomingMessage) => accounts.sessions.user(cookieValue(req, SESSION_COOKIE)) } : {}),
  });
  const staticRoot = findTechnicianDir(options.staticDir, __dirname);
  /** The waiting customers, for signed-in technicians (accounts only). */
  const waiting = accounts ? new WaitingBoard(hub) : undefined;

  const onRequest = createRequestHandler({
    options, hub, legacy, metrics, logger, staticRoot, socketCount: () => sockets.connections.size, startedAtMs: Date.now(),
    ...(cluster ? { cluster: () => ({ node: cluster.router.nodeId, redis: cluster.router.redisUp ? 'up' as const : 'down' as const }) } : {}),
    ...(deps.accounts && waiting ? { accounts: new AccountRoutes(deps.accounts, proxies, options.tlsCertFile !== undefined, waiting) } : {}),
  });
  const server: Server = options.tlsCertFile !== undefined && options.tlsKeyFile !== undefined
    ? createHttpsServer({ cert: readFileSync(options.tlsCertFile), key: readFileSync(options.tlsKeyFile) }, onRequest)
    : createHttpServer(onRequest);
  server.on('upgrade', sockets.handleUpgrade);
  applyServerLimits(server, options, proxies, logger);

  const sweep = (): void => {
    hub.sweep();
    legacy.sweep();
    cluster?.router.sweep();
  };
  const sweepTimer = setInterval(sweep, options.sweepIntervalMs);
  const heartbeatTimer = setInterval(() => sockets.heartbeat(), options.heartbeatIntervalMs);

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (err) => {
      void cluster?.router.stop();
      reject(err);
    });
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
  logger.info({ port: address.port, host: options.host, tls: secure, staticRoot: staticRoot ?? null, ...(cluster ? { node: cluster.router.nodeId } : {}) }, 'relay listening');
  // Alive for the other nodes only once it listens: they may relay peers here from now on.
  cluster?.router.start();

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      clearInterval(sweepTimer);
      clearInterval(heartbeatTimer);
      if (cluster !== undefined) {
        // Several nodes: dead to the others first, then the peers that can carry on are cut
        // (no goodbye), so they resume on another node, which takes their sessions over.
        await cluster.router.leave();
        for (const conn of [...sockets.connections]) if (conn.movable) conn.terminate();
      }
      hub.closeAll(cluster !== undefined);
      legacy.close();
      waiting?.close();
      const serverClosed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      await sockets.closeAll(SHUTDOWN_GRACE_MS);
      server.closeAllConnections();
      await serverClosed;
      await cluster?.router.stop();
    })();
    return closing;
  }

  return {
    url, wsUrl: `${secure ? 'wss' : 'ws'}://${hostPart}:${address.port}${WS_PATH}`, port: address.port,
    options, hub, legacy, connections: sockets.connections, cluster, sweep, close,
  };
}
