import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  decodeBinary, decodeText, encodeControl, FrameFlag, SEALABLE_TYPES, UNSEALED_VERSION,
  type BinaryMessage, type ControlMessage, type InputEvent, type Role,
} from '../../protocol';
import type { SealedChannel } from '../../common/e2e/handshake';
import type { SealableMessage } from '../../common/e2e/record-layer';

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
  /** 'recorded' after each message is in `received` (in a sealed session, once opened) and on close. */
  readonly events = new EventEmitter();
  private readPos = 0;
  private notify: (() => void) | undefined;
  private closeInfo: { code: number; reason: string } | undefined;
  private binaryHandler: BinaryHandler | undefined;
  private inputSeq = 0;
  /** Keys of a sealed session, once {@link sealWith} was called. */
  private channel: SealedChannel | undefined;
  /** Opening and sealing are asynchronous: these keep receiving and sending in order. */
  private openChain: Promise<void> = Promise.resolve();
  private sendChain: Promise<void> = Promise.resolve();
  /** Why a sealed message did not open: every read after it fails with this. */
  private unopened: string | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.channel !== undefined) {
        const bytes = Buffer.from(data);
        this.openChain = this.openChain.then(() => this.openAndRecord(bytes, isBinary));
        return;
      }
      if (isBinary) {
        if (data.length > 1 && (data[1]! & FrameFlag.SEALED) !== 0) {
          this.received.push({ kind: 'sealed-binary', raw: Buffer.from(data) });
          this.recorded();
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
      this.recorded();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        const closed = (): void => {
          this.closeInfo = { code, reason: reason.toString() };
          resolve(this.closeInfo);
          this.recorded();
        };
        // Sealed: after the messages still being opened, so none is lost to the close.
        if (this.channel === undefined) closed();
        else this.openChain = this.openChain.then(closed);
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

  /**
   * From now on this peer speaks sealed, as the page and the agent do once the keys
   * verified: peer-to-peer messages and binary messages it sends are sealed, and sealed
   * ones it receives are opened and recorded as their plain selves (in arrival order), so
   * a test reads a sealed session exactly as a plain one. A record that does not open
   * makes every later read fail with the reason.
   */
  sealWith(channel: SealedChannel): void {
    this.channel = channel;
    // What arrived while the caller was still verifying (the other side seals right after
    // its confirmation) is taken again, opened this time.
    for (const item of this.received.splice(this.readPos)) {
      const raw = typeof item.raw === 'string' ? Buffer.from(item.raw, 'utf8') : item.raw;
      this.openChain = this.openChain.then(() => this.openAndRecord(raw, item.kind !== 'text'));
    }
  }

  get sealed(): boolean {
    return this.channel !== undefined;
  }

  sendJson(message: ControlMessage | Record<string, unknown>): void {
    const channel = this.channel;
    const type = (message as { type?: unknown }).type;
    if (channel !== undefined && SEALABLE_TYPES.includes(type as SealableMessage['type'])) {
      this.inOrder(async () => encodeControl(await channel.sealer.sealText(message as SealableMessage)));
      return;
    }
    const text = encodeControl(message as ControlMessage);
    if (channel === undefined) this.ws.send(text);
    else this.inOrder(async () => text);
  }

  /**
   * Sends `messages` in clear in ONE write to the socket: the relay then reads them as one
   * chunk and handles them all in one turn of its event loop, with none of its own I/O (a
   * Redis answer) between them. For a test whose messages must all arrive while an answer
   * is pending; sent one write each, a fast answer may land between two of them.
   */
  sendJsonAtOnce(messages: readonly (ControlMessage | Record<string, unknown>)[]): void {
    if (this.channel !== undefined) throw new Error('sendJsonAtOnce sends in clear only');
    // ws corks the socket around each frame it writes; corks nest, so this holds them all.
    const socket = (this.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    socket.cork();
    try {
      for (const message of messages) this.ws.send(encodeControl(message as ControlMessage));
    } finally {
      socket.uncork();
    }
  }

  sendRaw(data: string | Uint8Array, binary = typeof data !== 'string'): void {
    const channel = this.channel;
    if (channel !== undefined && binary && typeof data !== 'string') {
      this.inOrder(async () => channel.sealer.sealBinary(data), true);
      return;
    }
    if (channel === undefined) this.ws.send(data, { binary });
    else this.inOrder(async () => data, binary);
  }

  /** Sealed mode: sends what `make` gives after everything sent before it (sealing takes a turn of the event loop). */
  private inOrder(make: () => Promise<string | Uint8Array>, binary = false): void {
    this.sendChain = this.sendChain.then(async () => {
      const data = await make();
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
    });
  }

  /** Sealed mode: opens a sealed message (or takes a plain one) and records it in place. */
  private async openAndRecord(data: Buffer, isBinary: boolean): Promise<void> {
    const channel = this.channel!;
    if (isBinary) {
      const sealed = data.length > 1 && (data[1]! & FrameFlag.SEALED) !== 0;
      const opened = sealed ? await channel.opener.openBinary(data) : decodeBinary(data);
      if (!opened.ok) this.unopened ??= `a binary message did not open: ${'problem' in opened ? opened.problem : opened.detail}`;
      else if (this.binaryHandler) this.binaryHandler(opened.message, data);
      else this.received.push({ kind: 'binary', message: opened.message, raw: data });
    } else {
      const text = data.toString('utf8');
      const decoded = decodeText(text);
      if (!decoded.ok) throw new Error(`relay sent an undecodable text message: ${decoded.detail}`);
      if (decoded.message.type === 'sealed') {
        const opened = await channel.opener.openText(decoded.message);
        if (opened.ok) this.received.push({ kind: 'text', message: opened.message, raw: JSON.stringify(opened.message) });
        else this.unopened ??= `a sealed ${decoded.message.inner} did not open: ${opened.problem}`;
      } else {
        this.received.push({ kind: 'text', message: decoded.message, raw: text });
      }
    }
    this.recorded();
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
      if (this.unopened !== undefined) throw new Error(this.unopened);
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

  /** Someone waits for the next message; listeners see it once it is in `received`. */
  private recorded(): void {
    this.notify?.();
    this.events.emit('recorded');
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
