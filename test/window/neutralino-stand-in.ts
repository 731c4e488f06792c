import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** One JSON message the extension sent to the runtime. */
export interface NativeCall {
  readonly id: string;
  readonly method: string;
  readonly accessToken: string;
  readonly data: { readonly event: string; readonly data: unknown };
}

/**
 * A small local stand-in for the WebSocket of the Neutralino runtime (6.x), as far as an
 * extension sees it — the real binary cannot be downloaded on these machines. Like the
 * runtime it listens on 127.0.0.1, refuses a connection whose query lacks a known
 * `extensionId` or the right `connectToken`, sends events as `{event, data}`, and answers
 * each native call `{id, method, accessToken, data}` with `{id, method, data: {success}}`
 * (or `{error: {code: 'NE_RT_INVTOKN'}}` for a wrong token). It records everything.
 */
export class NeutralinoRuntimeStandIn {
  /** The request URL of every connection attempt, accepted or not. */
  readonly attempts: string[] = [];
  readonly calls: NativeCall[] = [];
  /** Text messages that were not JSON native calls. */
  readonly junk: string[] = [];
  private socket: WebSocket | undefined;
  private connectedResolve: (() => void) | undefined;
  readonly connected: Promise<void>;
  private notify: (() => void) | undefined;
  private readPos = 0;

  private constructor(private readonly wss: WebSocketServer, readonly port: number, readonly token: string, readonly connectToken: string, readonly extensionIds: readonly string[]) {
    this.connected = new Promise((resolve) => { this.connectedResolve = resolve; });
    wss.on('connection', (ws) => this.onConnection(ws));
  }

  static async start(extensionIds: readonly string[] = ['com.compueasys.agent']): Promise<NeutralinoRuntimeStandIn> {
    const connectToken = 'Yc2xQp9rT0kLm3Zs';
    const token = `aB3dE5fG7hJ9kL1m.${connectToken}`;
    let self: NeutralinoRuntimeStandIn | undefined;
    const wss = new WebSocketServer({
      host: '127.0.0.1', port: 0,
      verifyClient: ({ req }: { req: IncomingMessage }) => {
        self?.attempts.push(req.url ?? '');
        const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
        return query.get('connectToken') === connectToken && extensionIds.includes(query.get('extensionId') ?? '');
      },
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const port = (wss.address() as { port: number }).port;
    self = new NeutralinoRuntimeStandIn(wss, port, token, connectToken, extensionIds);
    return self;
  }

  /** What the runtime writes on the extension's stdin. */
  handshake(extensionId = 'com.compueasys.agent'): Record<string, string> {
    return { nlPort: String(this.port), nlToken: this.token, nlConnectToken: this.connectToken, nlExtensionId: extensionId };
  }

  /** An event to the extension, as the runtime relays `Neutralino.extensions.dispatch` or its own events. */
  dispatch(event: string, data: unknown): void {
    this.socket?.send(JSON.stringify({ event, data }));
  }

  sendRaw(text: string): void {
    this.socket?.send(text);
  }

  /** Waits for the next native call the extension makes (optionally one carrying event `event`). */
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

  /** Closes the extension's connection, as the runtime does when it exits. */
  closeExtension(): void {
    this.socket?.close(1000);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    this.socket = ws;
    this.connectedResolve?.();
    ws.on('message', (raw: Buffer) => {
      const text = raw.toString('utf8');
      let call: NativeCall;
      try {
        call = JSON.parse(text) as NativeCall;
      } catch {
        this.junk.push(text);
        return;
      }
      this.calls.push(call);
      const ok = call.accessToken === this.token;
      ws.send(JSON.stringify({ id: call.id, method: call.method, data: ok ? { success: true } : { error: { code: 'NE_RT_INVTOKN', message: 'Invalid or expired NL_TOKEN value from client' } } }));
      this.notify?.();
    });
  }
}
