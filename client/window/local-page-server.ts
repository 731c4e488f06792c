import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  readonly logger: Logger;
  /** Every well-formed message of the page. */
  readonly onEnvelope: (envelope: UiEnvelope) => void;
  /** The number of connected pages changed (the page opened, closed or reloaded). */
  readonly onPagesChanged?: (count: number) => void;
}

/** Largest message the page may send; its commands are a few dozen bytes. */
const MAX_PAGE_MESSAGE_BYTES = 16 * 1024;
/** The cookie that shows a request comes from the browser that opened the window. */
const SESSION_COOKIE = 'compueasys_window';
/** Where the one-time code is exchanged for the cookie. */
const OPEN_PATH = '/open';

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie in a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The browser fallback of the customer's window, for machines without the Neutralino
 * runtime: serves the window's page and a WebSocket to the agent on 127.0.0.1 only.
 *
 * Another user of the same computer can reach 127.0.0.1 too, and can read every
 * process's command line, so nothing secret ever travels in a command line:
 *
 * 1. The agent writes a small launcher page into a folder only this user can read
 *    (`writeLauncher`) and asks the browser to open that file. The launcher sends the
 *    browser to `/open?code=…` with a one-time code.
 * 2. `/open` accepts that code once, answers with an HttpOnly, SameSite=Strict cookie
 *    holding a fresh secret, and moves the browser on to the page. The code is then spent.
 * 3. Every request and the page's WebSocket need that cookie; the WebSocket also needs
 *    the Origin of this server. One page drives the agent at a time: a reload (the same
 *    browser, the same cookie) takes over from the page it replaces.
 *
 * Host must name 127.0.0.1 or localhost at this port, which defeats DNS rebinding.
 */
export class LocalPageServer implements UiPort {
  private page: WebSocket | undefined;
  private readonly wss: WebSocketServer;
  /** Spent (undefined) once a browser exchanged it for the cookie. */
  private launchCode: string | undefined = randomSecret();
  /** The cookie's secret, set when the launch code is spent. */
  private sessionSecret: string | undefined;
  private launcherDir: string | undefined;
  /** What every file of the page is sent with. */
  private readonly pageHeaders: Readonly<Record<string, string>>;

  private constructor(private readonly server: Server, readonly port: number, private readonly options: LocalPageServerOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAGE_MESSAGE_BYTES, perMessageDeflate: false });
    this.pageHeaders = Object.freeze({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; `
        + "img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    });
    server.on('request', this.onRequest);
    server.on('upgrade', this.onUpgrade);
  }

  /** Listens on 127.0.0.1 and resolves once the page can be opened. */
  static async start(options: LocalPageServerOptions): Promise<LocalPageServer> {
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
    return new LocalPageServer(server, address.port, options);
  }

  /**
   * The one-time address that opens the window: it works once, for the first browser
   * that loads it. Undefined once spent. Never put it in a command line: use
   * `writeLauncher` and open the file instead.
   */
  get launchUrl(): string | undefined {
    return this.launchCode === undefined ? undefined : `http://127.0.0.1:${this.port}${OPEN_PATH}?code=${this.launchCode}`;
  }

  /**
   * Writes a launcher page that sends the browser to `launchUrl`, in a new folder only
   * this user can read (0700, the file 0600), and returns the file's path: the command
   * line that opens it shows a path other users cannot open. The folder goes with close().
   */
  async writeLauncher(parent = tmpdir()): Promise<string> {
    const url = this.launchUrl;
    if (url === undefined) throw new Error('the window was already opened');
    this.launcherDir = await mkdtemp(join(parent, 'compueasys-window-'));
    const file = join(this.launcherDir, 'open.html');
    const html = `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${url}">`
      + `<title>CompuEasys</title><a href="${url}">CompuEasys Soporte Remoto / Remote Support</a>`;
    await writeFile(file, html, { mode: 0o600, flag: 'wx' });
    return file;
  }

  /** Pages connected now (0 or 1). */
  get pageCount(): number {
    return this.page === undefined ? 0 : 1;
  }

  send(envelope: UiEnvelope): void {
    if (this.page?.readyState === WebSocket.OPEN) this.page.send(JSON.stringify(envelope));
  }

  async close(): Promise<void> {
    this.page?.terminate();
    this.page = undefined;
    this.server.off('request', this.onRequest);
    this.server.off('upgrade', this.onUpgrade);
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.launcherDir !== undefined) await rm(this.launcherDir, { recursive: true, force: true });
  }

  // ---- checks ----------------------------------------------------------------------

  private hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return host === `127.0.0.1:${this.port}` || host === `localhost:${this.port}`;
  }

  /** Browsers always send Origin on a WebSocket: it must be this server's. */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin === `http://127.0.0.1:${this.port}` || origin === `http://localhost:${this.port}`;
  }

  /** The request carries the cookie `/open` gave the browser that opened the window. */
  private hasSession(req: IncomingMessage): boolean {
    return sameSecret(cookieValue(req.headers.cookie, SESSION_COOKIE), this.sessionSecret);
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
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    } catch {
      return this.plain(res, 400, 'Bad request');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.plain(res, 405, 'Method not allowed');
    if (url.pathname === OPEN_PATH) return this.open(url.searchParams.get('code') ?? undefined, res);
    if (!this.hasSession(req)) return this.plain(res, 403, 'Forbidden: open the window from the support program.');
    // Only files of the page folder: never a dot file or anything above it.
    const file = fileInside(this.options.pageDir, url.pathname);
    if (file === undefined || !(await sendFile(req, res, file, this.pageHeaders))) this.plain(res, 404, 'Not found');
  }

  /** Spends the one-time code: the browser that brings it gets the cookie, nobody after it. */
  private open(code: string | undefined, res: ServerResponse): void {
    if (!sameSecret(code, this.launchCode)) {
      this.options.logger.warn('refused an attempt to open the window without its one-time code');
      return this.plain(res, 403, 'Forbidden: this address works once; open the window from the support program.');
    }
    this.launchCode = undefined;
    this.sessionSecret = randomSecret();
    // Not a redirect: a browser arriving from the launcher file comes cross-site, and a
    // SameSite=Strict cookie is not sent along a cross-site redirect. This small page moves
    // on to the window itself, a navigation of this site's own, which carries the cookie.
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'set-cookie': `${SESSION_COOKIE}=${this.sessionSecret}; HttpOnly; SameSite=Strict; Path=/`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    res.end('<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/"><title>CompuEasys</title>');
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  }

  // ---- websocket -------------------------------------------------------------------

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== '/ui' || !this.hostAllowed(req) || !this.originAllowed(req) || !this.hasSession(req)) {
      this.options.logger.warn('refused a window connection without the right cookie, host or origin');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onPage(ws));
  };

  private onPage(ws: WebSocket): void {
    // One page drives the agent: a reload of the same browser takes over from the old one.
    const previous = this.page;
    this.page = ws;
    previous?.close(4000, 'replaced by a newer page');
    if (previous === undefined) this.options.onPagesChanged?.(1);
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      if (this.page !== ws) return;
      const envelope = isBinary ? undefined : parseEnvelope(data.toString('utf8'));
      if (envelope === undefined) {
        this.options.logger.warn('ignored a malformed message from the window');
        return;
      }
      this.options.onEnvelope(envelope);
    };
    const onClose = (): void => {
      ws.off('message', onMessage);
      if (this.page !== ws) return;
      this.page = undefined;
      this.options.onPagesChanged?.(0);
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.on('error', () => { /* followed by close */ });
  }
}
