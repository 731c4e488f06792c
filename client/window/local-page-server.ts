import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { fileInside, sendFile } from '../../common/node/static-files';
import { parseEnvelope, type UiEnvelope } from '../contract/ui-events';
import type { UiPort } from './window-bridge';

export interface LocalPageServerOptions {
  /** The built page (`dist/client-app`): index.html, index.js, styles, icons. */
  readonly pageDir: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** The per-run secret; a fresh random one when absent. */
  readonly token?: string;
  readonly logger: Logger;
  /** Every well-formed message of a page. */
  readonly onEnvelope: (envelope: UiEnvelope) => void;
  /** The number of connected pages changed (a page opened, closed or reloaded). */
  readonly onPagesChanged?: (count: number) => void;
}

/** Largest message a page may send; its commands are a few dozen bytes. */
const MAX_PAGE_MESSAGE_BYTES = 16 * 1024;

/**
 * The browser fallback of the customer's window, for machines without the Neutralino
 * runtime: serves the window's page and a WebSocket to the agent on 127.0.0.1 only.
 *
 * Everything lives under a random per-run token in the path, `http://127.0.0.1:<port>/<token>/`
 * (the page's relative links keep it), and the WebSocket is `…/<token>/ui`. A request
 * without the token, or with a wrong one, is refused (403): another program or user of this
 * machine, or a web page in the customer's browser, cannot drive the session. The Host and
 * Origin headers must name 127.0.0.1 or localhost at this port, which defeats DNS rebinding.
 */
export class LocalPageServer implements UiPort {
  readonly token: string;
  private readonly sockets = new Set<WebSocket>();
  private readonly wss: WebSocketServer;
  /** What every file of the page is sent with. */
  private readonly pageHeaders: Readonly<Record<string, string>>;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    token: string,
    private readonly options: LocalPageServerOptions,
  ) {
    this.token = token;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAGE_MESSAGE_BYTES, perMessageDeflate: false });
    this.pageHeaders = Object.freeze({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // The token is in every URL: never hand it to another site.
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; `
        + "img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    });
    server.on('request', this.onRequest);
    server.on('upgrade', this.onUpgrade);
  }

  /** Listens on 127.0.0.1 and resolves once the page can be opened. */
  static async start(options: LocalPageServerOptions): Promise<LocalPageServer> {
    const token = options.token ?? randomBytes(24).toString('base64url');
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) throw new Error('the page token must be 16–128 URL-safe characters');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the page server has no TCP address');
    return new LocalPageServer(server, address.port, token, options);
  }

  /** The address to open: the only one that works. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/${this.token}/`;
  }

  /** Pages connected now. */
  get pageCount(): number {
    return this.sockets.size;
  }

  send(envelope: UiEnvelope): void {
    const text = JSON.stringify(envelope);
    for (const ws of this.sockets) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.server.off('request', this.onRequest);
    this.server.off('upgrade', this.onUpgrade);
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- checks ----------------------------------------------------------------------

  private hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return host === `127.0.0.1:${this.port}` || host === `localhost:${this.port}`;
  }

  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    // Browsers always send Origin on a WebSocket; other local programs may omit it, but
    // they still need the token.
    return origin === undefined || origin === `http://127.0.0.1:${this.port}` || origin === `http://localhost:${this.port}`;
  }

  /** The path after `/<token>`, or undefined when the token is missing or wrong. */
  private pathAfterToken(rawUrl: string | undefined): string | undefined {
    const pathname = (rawUrl ?? '/').split('?')[0]!;
    const match = /^\/([^/]*)(\/.*)?$/.exec(pathname);
    if (!match) return undefined;
    const given = Buffer.from(match[1]!);
    const expected = Buffer.from(this.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return match[2] ?? '';
  }

  // ---- http ------------------------------------------------------------------------

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void this.serve(req, res).catch((err: unknown) => {
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'page request failed');
      if (!res.headersSent) this.plain(res, 500, 'Internal error');
      else res.destroy();
    });
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.hostAllowed(req)) return this.plain(res, 403, 'Forbidden');
    const rest = this.pathAfterToken(req.url);
    if (rest === undefined) return this.plain(res, 403, 'Forbidden: open the address the support program printed.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.plain(res, 405, 'Method not allowed');
    if (rest === '') {
      // Without the slash the page's relative links would lose the token.
      res.writeHead(301, { location: `/${this.token}/`, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    // Only files of the page folder: never a dot file or anything above it.
    const file = fileInside(this.options.pageDir, rest);
    if (file === undefined || !(await sendFile(req, res, file, this.pageHeaders))) this.plain(res, 404, 'Not found');
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  }

  // ---- websocket -------------------------------------------------------------------

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const rest = this.pathAfterToken(req.url);
    if (rest !== '/ui' || !this.hostAllowed(req) || !this.originAllowed(req)) {
      this.options.logger.warn('refused a window connection without the right token, host or origin');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onPage(ws));
  };

  private onPage(ws: WebSocket): void {
    this.sockets.add(ws);
    this.options.onPagesChanged?.(this.sockets.size);
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      const envelope = isBinary ? undefined : parseEnvelope(data.toString('utf8'));
      if (envelope === undefined) {
        this.options.logger.warn('ignored a malformed message from the window');
        return;
      }
      this.options.onEnvelope(envelope);
    };
    const onClose = (): void => {
      ws.off('message', onMessage);
      if (this.sockets.delete(ws)) this.options.onPagesChanged?.(this.sockets.size);
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.on('error', () => { /* followed by close */ });
  }
}
