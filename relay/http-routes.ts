import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountRoutes } from './accounts/account-routes';
import type { Logger } from 'pino';
import { Errors, PROTOCOL_VERSION } from '../protocol';
import { sendError, sendJson } from './http-util';
import type { Hub } from './hub';
import type { LegacyApi } from './legacy/legacy-api';
import type { RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import { securityHeaders } from './security-headers';
import { serveTechnicianPage } from './static-files';

export interface HttpRoutesDeps {
  readonly options: RelayOptions;
  readonly hub: Hub;
  readonly legacy: LegacyApi;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  /** The built technician page, or undefined when it has not been built. */
  readonly staticRoot: string | undefined;
  /** Open WebSocket connections, for /healthz. */
  readonly socketCount: () => number;
  readonly startedAtMs: number;
  /** Sign-in and sign-out, when the relay has a database. */
  readonly accounts?: AccountRoutes;
  /** Several nodes: this node's name and whether Redis answers, for /healthz. */
  readonly cluster?: () => { readonly node: string; readonly redis: 'up' | 'down' };
}

/**
 * Every plain HTTP request of the relay: /healthz, /metrics, the legacy polling API and
 * the technician page, in that order. WebSocket upgrades do not come here (see
 * ws-admission.ts). A route that fails inside the relay answers 500 with
 * RS_ERR_SERVER_INTERNAL, is logged and counted, and the server goes on.
 */
export function createRequestHandler(deps: HttpRoutesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { hub, legacy, metrics, logger } = deps;
  const headers = securityHeaders(deps.options);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://relay').pathname;
    } catch {
      sendError(res, Errors.HTTP_BAD_REQUEST);
      return;
    }
    if (pathname === '/healthz') {
      sendJson(res, 200, {
        status: 'ok', protocolVersion: PROTOCOL_VERSION, uptimeSeconds: Math.floor((Date.now() - deps.startedAtMs) / 1000),
        sessions: hub.counts(), sockets: deps.socketCount(), legacyPeers: legacy.size,
        // Redis away is said here (and logged); the node still serves what it holds, so it stays 200.
        ...(deps.cluster ? { cluster: deps.cluster() } : {}),
      });
      return;
    }
    if (pathname === '/metrics') {
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    if (deps.accounts?.handles(pathname) === true) {
      await deps.accounts.handle(req, res, pathname);
      return;
    }
    if (legacy.handles(pathname)) {
      await legacy.handle(req, res, pathname);
      return;
    }
    if (await serveTechnicianPage(deps.staticRoot, req, res, pathname, deps.options.pageRelayOrigins)) return;
    sendError(res, Errors.HTTP_NOT_FOUND);
  }

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      metrics.httpFailure();
      logger.error({ err }, 'HTTP request failed inside the relay');
      if (!res.headersSent) sendError(res, Errors.SERVER_INTERNAL);
      else res.destroy();
    });
  };
}
