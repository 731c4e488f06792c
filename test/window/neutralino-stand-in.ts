import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

/** One JSON message an extension or a page sent to the runtime. */
export interface NativeCall {
  readonly id: string;
  readonly method: string;
  readonly accessToken: string;
  readonly data: { readonly event: string; readonly data: unknown } & Record<string, unknown>;
}

export interface StandInOptions {
  /** Extension ids of the config (a connection naming another is refused). */
  readonly extensionIds?: readonly string[];
  /** Serve this folder as the runtime serves `documentRoot`, with the globals in front of neutralino.js. */
  readonly documentRoot?: string;
  /** The config's nativeAllowList: any other native call is refused as the runtime refuses it. */
  readonly nativeAllowList?: readonly string[];
  /**
   * The window went away as the runtime sees it: its page called `app.exit`, or the last
   * page disconnected after one had connected (`exitProcessOnClose`).
   */
  readonly onWindowGone?: () => void;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'application/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml' };

/**
 * A small local stand-in for the Neutralino runtime (6.x) — the real binary cannot be
 * downloaded on these machines. It does what an extension and the window's page rely on:
 *
 * - one HTTP + WebSocket server on 127.0.0.1; the WebSocket refuses a connection whose
 *   query lacks the right `connectToken`, or names an `extensionId` not in the config;
 * - events travel as `{event, data}`; a native call `{id, method, accessToken, data}` is
 *   answered `{id, method, data: {success, returnValue?}}`, or with an error for a wrong
 *   token (NE_RT_INVTOKN) or a method outside the allow list (NE_RT_NATPRME);
 * - `app.broadcast` reaches the pages, `events.broadcast` pages and extensions,
 *   `extensions.dispatch` one extension; `extensions.getStats` lists them; connections
 *   raise `appClientConnect` / `extClientConnect` (and the Disconnect twins);
 * - with a documentRoot, pages are served from it, and any path ending in neutralino.js
 *   gets the globals (NL_PORT, NL_TOKEN …) in front, the token only the first time
 *   (`tokenSecurity: one-time`).
 *
 * It records every call, for the tests to look at.
 */
export class NeutralinoRuntimeStandIn {
  /** What the file dialog (`os.showOpenDialog`) answers: the paths the customer "picked". */
  openDialogPaths: string[] = [];
  /** The request URL of every WebSocket connection attempt, accepted or not. */
  readonly attempts: string[] = [];
  /** Native calls from extensions. */
  readonly calls: NativeCall[] = [];
  /** Native calls from pages. */
  readonly appCalls: NativeCall[] = [];
  /** Text messages that were not JSON. */
  readonly junk: string[] = [];
  /** Native calls answered with an error (wrong token, not allowed, no such extension). */
  readonly refused: string[] = [];
  readonly connected: Promise<void>;
  readonly token: string;
  readonly connectToken = 'Yc2xQp9rT0kLm3Zs';
  private connectedResolve: (() => void) | undefined;
  private readonly extensions = new Map<string, WebSocket>();
  private readonly apps = new Set<WebSocket>();
  private notify: (() => void) | undefined;
  private readPos = 0;
  private tokenServed = false;
  private readonly extensionIds: readonly string[];

  private constructor(private readonly server: Server, private readonly wss: WebSocketServer, readonly port: number, private readonly options: StandInOptions) {
    this.token = `aB3dE5fG7hJ9kL1m.${this.connectToken}`;
    this.extensionIds = options.extensionIds ?? ['com.compueasys.agent'];
    this.connected = new Promise((resolve) => { this.connectedResolve = resolve; });
    wss.on('connection', (ws, req) => this.onConnection(ws, req));
    server.on('request', (req, res) => {
      void this.serve(req.url ?? '/').then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
    });
  }

  static async start(options: StandInOptions = {}): Promise<NeutralinoRuntimeStandIn> {
    const server = createServer();
    let self: NeutralinoRuntimeStandIn | undefined;
    const wss = new WebSocketServer({
      server,
      verifyClient: ({ req }: { req: IncomingMessage }) => {
        self?.attempts.push(req.url ?? '');
        const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
        const extensionId = query.get('extensionId');
        return query.get('connectToken') === self?.connectToken && (extensionId === null || self.extensionIds.includes(extensionId));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    self = new NeutralinoRuntimeStandIn(server, wss, port, options);
    return self;
  }

  /** The page's address (with a documentRoot). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** What the runtime writes on the extension's stdin. */
  handshake(extensionId = 'com.compueasys.agent'): Record<string, string> {
    return { nlPort: String(this.port), nlToken: this.token, nlConnectToken: this.connectToken, nlExtensionId: extensionId };
  }

  /** An event to the (first) extension, as the runtime relays `Neutralino.extensions.dispatch`. */
  dispatch(event: string, data: unknown): void {
    for (const ws of this.extensions.values()) ws.send(JSON.stringify({ event, data }));
  }

  sendRaw(text: string): void {
    for (const ws of this.extensions.values()) ws.send(text);
  }

  /** Waits for the next native call an extension makes (optionally one carrying event `event`). */
  async nextCall(event?: string, timeoutMs = 5000): Promise<NativeCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.readPos < this.calls.length) {
        const call = this.calls[this.readPos++]!;
        if (event === undefined || call.data?.event === event) return call;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no native call${event ? ` with event ${event}` : ''} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.notify = () => { clearTimeout(timer); resolve(); };
      });
      this.notify = undefined;
    }
  }

  /** Waits for a state broadcast of the given kind and returns its data. */
  async nextState(kind: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = await this.nextCall('agent:state', Math.max(1, deadline - Date.now()));
      const data = call.data.data as Record<string, unknown>;
      if (data.kind === kind) return data;
    }
  }

  /** A runtime event to every page (a tray click, a window event …). */
  dispatchToPages(event: string, data: unknown): void {
    this.broadcast(true, false, { event, data });
  }

  /** Closes the extensions' connections, as the runtime does when it exits. */
  closeExtension(): void {
    for (const ws of this.extensions.values()) ws.close(1000);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- the static server -------------------------------------------------------------

  private globals(): string {
    // One-time token: only the first load of the client library gets it.
    const token = this.tokenServed ? '' : this.token;
    this.tokenServed = true;
    const vars: Record<string, unknown> = {
      NL_OS: 'Linux', NL_ARCH: 'x64', NL_VERSION: '6.9.0', NL_APPID: 'com.compueasys.remotesupport', NL_APPVERSION: '0.1.0',
      NL_PORT: this.port, NL_MODE: 'window', NL_TOKEN: token, NL_CWD: '.', NL_PATH: '.', NL_ARGS: [], NL_PID: 1,
      NL_RESMODE: 'directory', NL_EXTENABLED: true, NL_CMETHODS: [], NL_GINJECTED: false, NL_CINJECTED: true,
    };
    return Object.entries(vars).map(([k, v]) => `var ${k} = ${JSON.stringify(v)};`).join('') + '\n';
  }

  private async serve(rawUrl: string): Promise<{ status: number; type: string; body: string | Buffer }> {
    const root = this.options.documentRoot;
    if (!root) return { status: 404, type: 'text/plain', body: 'no documentRoot' };
    let path = decodeURIComponent(rawUrl.split('?')[0]!);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(normalize(root))) return { status: 404, type: 'text/plain', body: '' };
    const body = await readFile(file).catch(() => undefined);
    if (!body) return { status: 404, type: 'text/plain', body: '' };
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    return path.endsWith('neutralino.js') ? { status: 200, type, body: this.globals() + body.toString('utf8') } : { status: 200, type, body };
  }

  // ---- the WebSocket -----------------------------------------------------------------

  private broadcast(toApps: boolean, toExtensions: boolean, message: unknown): void {
    const text = JSON.stringify(message);
    if (toApps) for (const ws of this.apps) ws.send(text);
    if (toExtensions) for (const ws of this.extensions.values()) ws.send(text);
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const extensionId = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('extensionId');
    if (extensionId) {
      this.extensions.set(extensionId, ws);
      this.connectedResolve?.();
      this.broadcast(true, true, { event: 'extClientConnect', data: extensionId });
    } else {
      this.apps.add(ws);
      this.broadcast(true, true, { event: 'appClientConnect', data: this.apps.size });
    }
    ws.on('close', () => {
      if (extensionId) {
        if (this.extensions.get(extensionId) === ws) this.extensions.delete(extensionId);
        this.broadcast(true, true, { event: 'extClientDisconnect', data: extensionId });
      } else {
        this.apps.delete(ws);
        this.broadcast(true, true, { event: 'appClientDisconnect', data: this.apps.size });
        if (this.apps.size === 0) this.options.onWindowGone?.();
      }
    });
    ws.on('message', (raw: Buffer) => {
      const text = raw.toString('utf8');
      let call: NativeCall;
      try {
        call = JSON.parse(text) as NativeCall;
      } catch {
        this.junk.push(text);
        return;
      }
      (extensionId ? this.calls : this.appCalls).push(call);
      const result = this.execute(call);
      if (result.error) this.refused.push(`${call.method}: ${(result.error as { code: string }).code}`);
      ws.send(JSON.stringify({ id: call.id, method: call.method, data: result }));
      this.notify?.();
    });
  }

  private execute(call: NativeCall): Record<string, unknown> {
    if (call.accessToken !== this.token) return { error: { code: 'NE_RT_INVTOKN', message: 'Invalid or expired NL_TOKEN value from client' } };
    const allow = this.options.nativeAllowList;
    if (allow && !allow.some((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(call.method))) {
      return { error: { code: 'NE_RT_NATPRME', message: `Missing permission to execute the native method: ${call.method}` } };
    }
    const data = call.data ?? {};
    switch (call.method) {
      case 'app.broadcast':
        this.broadcast(true, false, { event: data.event, data: data.data });
        return { success: true };
      case 'events.broadcast':
        this.broadcast(true, true, { event: data.event, data: data.data });
        return { success: true };
      case 'extensions.dispatch': {
        const target = this.extensions.get(String(data.extensionId));
        if (!target) return { error: { code: 'NE_EX_EXTNOTC', message: `${String(data.extensionId)} is not connected yet` } };
        target.send(JSON.stringify({ event: data.event, data: data.data }));
        return { success: true, message: 'Message was sent to the extension' };
      }
      case 'app.exit':
        setImmediate(() => this.options.onWindowGone?.());
        return { success: true };
      case 'os.showOpenDialog':
        // The customer's choice in the system's file dialog, as the test set it.
        return { success: true, returnValue: this.openDialogPaths };
      case 'extensions.getStats':
        return { success: true, returnValue: { loaded: [...this.extensionIds], connected: [...this.extensions.keys()] } };
      default:
        // os.setTray, window.setTitle, app.exit …: recorded, and done.
        return { success: true };
    }
  }
}
