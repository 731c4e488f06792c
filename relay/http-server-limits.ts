import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AddressCounter } from './address-counter';
import { addressKey, type TrustedProxies } from './client-address';
import type { RelayOptions } from './options';

/** Time a client has to send its request headers. */
const HEADERS_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after this. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Headers a request may carry; browsers and the old clients send about a dozen. */
const MAX_HEADERS_COUNT = 64;

/**
 * The HTTP server's own limits, so slow or numerous connections cannot pile up before
 * any route sees them: headers must arrive quickly, a request (long polls included) has
 * a deadline, idle keep-alive connections go, the total is capped, and so is each
 * address's share. A connection from one of the operator's proxies is not capped per
 * address (all clients come through it); the WebSocket admission caps those by the
 * address the proxy reports.
 */
export function applyServerLimits(server: Server, options: RelayOptions, proxies: TrustedProxies, logger: Logger): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  // Long polls may hold a request up to legacyMaxWaitMs; keep the request deadline above it.
  server.requestTimeout = options.legacyMaxWaitMs + 30_000;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  // Every WebSocket plus a long poll and a call for each side of each session.
  server.maxConnections = options.maxSockets + 2 * options.maxSessions;

  const perAddress = new AddressCounter(options.maxConnectionsPerIp);
  server.on('connection', (socket: Socket) => {
    const remote = socket.remoteAddress;
    if (remote === undefined || proxies.has(remote)) return;
    const key = addressKey(remote);
    if (!perAddress.tryAdd(key)) {
      logger.info({ address: key }, 'connection refused: too many from this address');
      socket.destroy();
      return;
    }
    socket.once('close', () => perAddress.remove(key));
  });
}
