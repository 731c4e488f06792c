import WebSocket from 'ws';
import {
  decodeBinary, decodeText, encodeControl, FrameFlag, UNSEALED_VERSION,
  type BinaryMessage, type ControlMessage, type InputEvent, type Role,
} from '../../protocol';

type Received =
  | { readonly kind: 'text'; readonly message: ControlMessage; readonly raw: string }
  | { readonly kind: 'binary'; readonly message: BinaryMessage; readonly raw: Buffer }
  /** A binary message of a sealed session: only its owner's keys can read it. */
  | { readonly kind: 'sealed-binary'; readonly raw: Buffer };

/** Takes binary messages instead of the record (see {@link WsTestPeer.handleBinary}). */
export type BinaryHandler = (message: BinaryMessage, raw: Buffer) => void;

/**
 * A real WebSocket peer that speaks the protocol, for tests and benchmarks: it records
 * everything it receives, in order, and lets the caller wait for the next message of a
 * given type (with a timeout, so a missing message fails the test instead of hanging it).
 * The benchmarks' technician (bench/support/technician-sim.ts) is one of these, with its
 * frames handed to a handler instead of recorded.
 */
export class WsTestPeer {
  readonly received: Received[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readPos = 0;
  private notify: (() => void) | undefined;
  private closeInfo: { code: number; reason: string } | undefined;
  private binaryHandler: BinaryHandler | undefined;
  private inputSeq = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (data.length > 1 && (data[1]! & FrameFlag.SEALED) !== 0) {
          this.received.push({ kind: 'sealed-binary', raw: Buffer.from(data) });
          this.notify?.();
          return;
        }
        const decoded = decodeBinary(data);
        if (!decoded.ok) throw new Error(`relay sent an undecodable binary message: ${decoded.detail}`);
        if (this.binaryHandler) {
          this.binaryHandler(decoded.message, data);
          return;
        }
        this.received.push({ kind: 'binary', message: decoded.message, raw: Buffer.from(data) });
      } else {
        const text = data.toString('utf8');
        const decoded = decodeText(text);
        if (!decoded.ok) throw new Error(`relay sent an undecodable text message: ${decoded.detail}`);
        this.received.push({ kind: 'text', message: decoded.message, raw: text });
      }
      this.notify?.();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.notify?.();
      });
    });
    ws.on('error', () => { /* surfaced through `closed` */ });
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WsTestPeer> {
    const ws = new WebSocket(url, options);
    const peer = new WsTestPeer(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return peer;
  }

  /**
   * Connects and says hello; resolves after `welcome`. Version 1 unless told otherwise:
   * the relay's forwarding, limits and legacy bridging are the same for both versions and
   * are tested in clear; the sealed flow of version 2 is in test/support/sealed-peers.ts.
   */
  static async hello(url: string, role: Role, options: WebSocket.ClientOptions = {}, version = UNSEALED_VERSION): Promise<WsTestPeer> {
    const peer = await WsTestPeer.connect(url, options);
    peer.sendJson({ type: 'hello', version, role });
    await peer.next('welcome');
    return peer;
  }

  sendJson(message: ControlMessage | Record<string, unknown>): void {
    this.ws.send(encodeControl(message as ControlMessage));
  }

  sendRaw(data: string | Uint8Array, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  /** Sends one input event as the technician's viewer does: an `input` message with the next `seq`. */
  sendInput(event: InputEvent): void {
    this.sendJson({ type: 'input', seq: this.inputSeq++, event });
  }

  /**
   * From now on binary messages (already decoded) go to `handler` and are not recorded:
   * for a peer that receives megabytes of frames a second and must not keep them all.
   */
  handleBinary(handler: BinaryHandler): void {
    this.binaryHandler = handler;
  }

  /** Waits for the next unread message, which must have type `type` when given. */
  async next<T extends ControlMessage['type']>(type?: T, timeoutMs = 5000): Promise<Extract<ControlMessage, { type: T }>> {
    const item = await this.nextAny(timeoutMs);
    if (item.kind !== 'text') throw new Error(`expected a text message${type ? ` '${type}'` : ''}, got a binary one`);
    if (type !== undefined && item.message.type !== type) {
      throw new Error(`expected '${type}', got ${item.raw}`);
    }
    return item.message as Extract<ControlMessage, { type: T }>;
  }

  /** Skips messages until one of `type` arrives. */
  async until<T extends ControlMessage['type']>(type: T, timeoutMs = 5000): Promise<Extract<ControlMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    // Types only (and error codes): a skipped message may hold an access code.
    const skipped: string[] = [];
    for (;;) {
      const item = await this.nextAny(Math.max(1, deadline - Date.now())).catch((error: Error) => {
        throw new Error(`${error.message} for '${type}'${skipped.length > 0 ? ` (skipped: ${skipped.join(', ')})` : ''}`);
      });
      if (item.kind === 'text' && item.message.type === type) return item.message as Extract<ControlMessage, { type: T }>;
      if (skipped.length < 20) skipped.push(item.kind !== 'text' ? item.kind : item.message.type === 'error' ? `error ${item.message.code}` : item.message.type);
    }
  }

  async nextBinary(timeoutMs = 5000): Promise<{ message: BinaryMessage; raw: Buffer }> {
    const item = await this.nextAny(timeoutMs);
    if (item.kind !== 'binary') throw new Error(`expected a binary message, got ${item.kind === 'text' ? item.raw : 'a sealed one'}`);
    return { message: item.message, raw: item.raw };
  }

  /** The next message, which must be a sealed binary one: its bytes as received. */
  async nextSealedBinary(timeoutMs = 5000): Promise<Buffer> {
    const item = await this.nextAny(timeoutMs);
    if (item.kind !== 'sealed-binary') throw new Error(`expected a sealed binary message, got ${item.kind === 'text' ? item.raw : 'a plain one'}`);
    return item.raw;
  }

  async nextAny(timeoutMs = 5000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.readPos >= this.received.length) {
      if (this.closeInfo) throw new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.notify = undefined;
    }
    return this.received[this.readPos++]!;
  }

  /** Unread messages so far. */
  get pending(): number {
    return this.received.length - this.readPos;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}

/** A client registered and a technician joined and accepted: a paired session. */
export async function pairSession(
  wsUrl: string,
  { viewOnly = false, techOptions = {}, clientOptions = {} }:
  { viewOnly?: boolean; techOptions?: WebSocket.ClientOptions; clientOptions?: WebSocket.ClientOptions } = {},
): Promise<{ client: WsTestPeer; tech: WsTestPeer; code: string; sessionId: string }> {
  const client = await WsTestPeer.hello(wsUrl, 'client', clientOptions);
  client.sendJson({ type: 'register', name: 'PC-TEST' });
  const { code } = await client.next('code');
  const tech = await WsTestPeer.hello(wsUrl, 'technician', techOptions);
  tech.sendJson({ type: 'join', code, name: 'Juan (CompuEasys)' });
  await tech.next('waiting-consent');
  await client.next('consent-request');
  client.sendJson({ type: 'consent', granted: true, viewOnly });
  const paired = await client.next('paired');
  await tech.next('paired');
  return { client, tech, code, sessionId: paired.sessionId };
}
