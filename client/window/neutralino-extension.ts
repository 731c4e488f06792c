import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { parseJsonObject } from '../../protocol/codec';
import { COMMAND_EVENT, type UiEnvelope } from '../contract/ui-events';
import type { UiPort, WindowBridge } from './window-bridge';

/**
 * What the Neutralino runtime (6.x) writes on an extension's standard input, as one JSON
 * object, before closing it. `nlPort` comes as a string from the runtime; a number is
 * accepted too.
 */
export interface ExtensionHandshake {
  readonly nlPort: number;
  readonly nlToken: string;
  readonly nlConnectToken: string;
  readonly nlExtensionId: string;
}

/** The native method the extension sends its events with: `app.broadcast` reaches the windows only, not the extension itself. */
export type BroadcastMethod = 'app.broadcast' | 'events.broadcast';

/** Longest time to wait for the runtime's handshake on standard input. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The handshake, checked; `undefined` when the text is not one. */
export function parseHandshake(text: string): ExtensionHandshake | undefined {
  const value = parseJsonObject(text);
  if (value === undefined) return undefined;
  const port = typeof value.nlPort === 'string' && /^[0-9]{1,5}$/.test(value.nlPort) ? Number(value.nlPort) : value.nlPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const token = /^[\w.-]{1,512}$/;
  if (typeof value.nlToken !== 'string' || !token.test(value.nlToken)) return undefined;
  if (typeof value.nlConnectToken !== 'string' || !token.test(value.nlConnectToken)) return undefined;
  if (typeof value.nlExtensionId !== 'string' || !/^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+)*$/.test(value.nlExtensionId)) return undefined;
  return { nlPort: port, nlToken: value.nlToken, nlConnectToken: value.nlConnectToken, nlExtensionId: value.nlExtensionId };
}

/**
 * Reads the handshake from standard input: it resolves as soon as a whole JSON object
 * has arrived (the runtime closes stdin after it, but nothing here depends on that), and
 * rejects when stdin ends without one or nothing usable came within `timeoutMs`.
 */
export function readHandshake(input: Readable, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<ExtensionHandshake> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error: Error | undefined, handshake?: ExtensionHandshake): void => {
      clearTimeout(timer);
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      if (error) reject(error);
      else resolve(handshake!);
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (text.length > 64 * 1024) return finish(new Error('the Neutralino handshake on stdin is too long'));
      const handshake = parseHandshake(text.trim());
      if (handshake) finish(undefined, handshake);
    };
    const onEnd = (): void => finish(new Error('stdin ended without the Neutralino handshake ({"nlPort", "nlToken", "nlConnectToken", "nlExtensionId"}); start this through the Neutralino runtime'));
    const onError = (err: Error): void => finish(err);
    const timer = setTimeout(() => finish(new Error(`no Neutralino handshake on stdin within ${timeoutMs} ms`)), timeoutMs);
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
  });
}

/** Where an extension connects: the runtime's own WebSocket, naming itself and proving it was started by the runtime. */
export function extensionUrl(handshake: ExtensionHandshake): string {
  const query = new URLSearchParams({ extensionId: handshake.nlExtensionId, connectToken: handshake.nlConnectToken });
  return `ws://127.0.0.1:${handshake.nlPort}?${query.toString()}`;
}

/** One message from the runtime: an event, or the answer to one of our native calls. */
export type RuntimeMessage =
  | { readonly kind: 'event'; readonly envelope: UiEnvelope }
  | { readonly kind: 'reply'; readonly id: string; readonly method: string; readonly error: string | undefined };

/** Decodes what the runtime sends; `undefined` for anything else. */
export function parseRuntimeMessage(text: string): RuntimeMessage | undefined {
  const value = parseJsonObject(text);
  if (value === undefined) return undefined;
  if (typeof value.event === 'string') return { kind: 'event', envelope: { event: value.event, data: value.data } };
  if (typeof value.id === 'string') {
    const data = isRecord(value.data) ? value.data : {};
    const error = isRecord(data.error) ? `${String(data.error.code)}: ${String(data.error.message)}` : undefined;
    return { kind: 'reply', id: value.id, method: typeof value.method === 'string' ? value.method : '', error };
  }
  return undefined;
}

export interface ExtensionClientOptions {
  readonly logger: Logger;
  readonly onEnvelope: (envelope: UiEnvelope) => void;
  readonly method?: BroadcastMethod;
  /** Give up connecting after this long. */
  readonly connectTimeoutMs?: number;
}

/**
 * The agent as a Neutralino extension: a WebSocket client of the runtime. Events for the
 * page go out as the native call `{id, method: 'app.broadcast', accessToken, data: {event, data}}`;
 * the page's `Neutralino.extensions.dispatch` and the runtime's own events come in as
 * `{event, data}`.
 */
export class NeutralinoExtensionClient implements UiPort {
  /** Resolves when the runtime's socket closed (the window was closed, the runtime exited). */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly method: BroadcastMethod;

  private constructor(private readonly ws: WebSocket, private readonly handshake: ExtensionHandshake, private readonly options: ExtensionClientOptions) {
    this.method = options.method ?? 'app.broadcast';
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        ws.off('message', this.onMessage);
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
    ws.on('message', this.onMessage);
  }

  static async connect(handshake: ExtensionHandshake, options: ExtensionClientOptions): Promise<NeutralinoExtensionClient> {
    const ws = new WebSocket(extensionUrl(handshake), { perMessageDeflate: false, handshakeTimeout: options.connectTimeoutMs ?? 10_000 });
    ws.on('error', (err) => options.logger.debug({ err: err.message }, 'runtime socket error'));
    await new Promise<void>((resolve, reject) => {
      const onOpen = (): void => { ws.off('error', onError); resolve(); };
      const onError = (err: Error): void => { ws.off('open', onOpen); reject(new Error(`cannot connect to the Neutralino runtime: ${err.message}`)); };
      ws.once('open', onOpen);
      ws.once('error', onError);
    });
    return new NeutralinoExtensionClient(ws, handshake, options);
  }

  /** Broadcasts one event to the window(s). */
  send(envelope: UiEnvelope): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ id: randomUUID(), method: this.method, accessToken: this.handshake.nlToken, data: { event: envelope.event, data: envelope.data } }));
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  private readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    const message = isBinary ? undefined : parseRuntimeMessage(data.toString('utf8'));
    if (message === undefined) {
      this.options.logger.warn('ignored a malformed message from the Neutralino runtime');
      return;
    }
    if (message.kind === 'reply') {
      if (message.error) this.options.logger.warn({ method: message.method, error: message.error }, 'the runtime refused a native call');
      return;
    }
    this.options.onEnvelope(message.envelope);
  };
}

/** The runtime's own events that mean "a window may have just started listening". */
const WINDOW_READY_EVENTS: readonly string[] = Object.freeze(['appClientConnect']);

/** Routes one runtime event: page commands to the bridge; a window connecting gets the current state. */
function routeRuntimeEvent(bridge: WindowBridge, envelope: UiEnvelope): void {
  if (envelope.event === COMMAND_EVENT) bridge.handleEnvelope(envelope);
  else if (WINDOW_READY_EVENTS.includes(envelope.event)) bridge.publish();
}

/** A running extension: the runtime connection, and the end of it. */
export interface RunningExtension {
  readonly client: NeutralinoExtensionClient;
  /** Resolves once the runtime's socket closed and sharing was stopped (the technician told). */
  readonly done: Promise<{ code: number; reason: string }>;
}

/**
 * The extension's whole life once the handshake is read: connect to the runtime, send the
 * window the current state, route its commands to the bridge, and when the runtime's
 * socket closes (window closed, runtime gone) stop sharing at once.
 */
export async function runExtension(handshake: ExtensionHandshake, bridge: WindowBridge, options: Omit<ExtensionClientOptions, 'onEnvelope'>): Promise<RunningExtension> {
  const client = await NeutralinoExtensionClient.connect(handshake, { ...options, onEnvelope: (envelope) => routeRuntimeEvent(bridge, envelope) });
  const detach = bridge.attach(client);
  bridge.publish();
  const done = client.closed.then(async (info) => {
    detach();
    await bridge.close();
    return info;
  });
  return { client, done };
}
