import { decodeText, encodeControl, type ControlMessage } from '../../protocol';

type Listener = (event: unknown) => void;
type Sent = string | Uint8Array;

/**
 * Just enough of a browser WebSocket to drive a session from a unit test: the test plays
 * the relay (open, receive, drop) and reads what the page sent. Sealed sessions send
 * asynchronously (WebCrypto), so a test can also wait for the next thing sent: a promise
 * that resolves when the page sends, never a timer.
 */
export class FakeSocket {
  binaryType = 'blob';
  readyState = 0;
  readonly sent: Sent[] = [];
  closedWith: number | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly waiters: { test: (data: Sent) => boolean; resolve: (data: Sent) => void }[] = [];
  private readPos = 0;

  addEventListener(type: string, fn: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }

  removeEventListener(type: string, fn: Listener): void {
    this.listeners.get(type)?.delete(fn);
  }

  send(data: Sent): void {
    this.sent.push(data);
    for (const waiter of [...this.waiters]) {
      if (waiter.test(data)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(data);
      }
    }
  }

  close(code = 1000): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = code;
    this.readyState = 2;
  }

  // ---- what the "relay" does ----
  open(): void {
    this.readyState = 1;
    this.emit('open', {});
  }

  receive(message: ControlMessage): void {
    this.emit('message', { data: encodeControl(message) });
  }

  receiveBinary(bytes: Uint8Array): void {
    this.emit('message', { data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  }

  drop(code: number): void {
    this.readyState = 3;
    this.emit('close', { code, reason: '' });
  }

  get texts(): ControlMessage[] {
    return this.sent.filter((d): d is string => typeof d === 'string').map(decoded);
  }

  /**
   * The next text message the page sends after those already read by this method (it
   * may have been sent already), which must be of `type`.
   */
  async nextText<T extends ControlMessage['type']>(type: T): Promise<Extract<ControlMessage, { type: T }>> {
    const data = await this.nextSent();
    if (typeof data !== 'string') throw new Error(`expected '${type}', the page sent a binary message`);
    const message = decoded(data);
    if (message.type !== type) throw new Error(`expected '${type}', the page sent ${data}`);
    return message as Extract<ControlMessage, { type: T }>;
  }

  /** The next binary message the page sends (in the same reading order as {@link nextText}). */
  async nextBinary(): Promise<Uint8Array> {
    const data = await this.nextSent();
    if (typeof data === 'string') throw new Error(`expected a binary message, the page sent ${data}`);
    return data;
  }

  /** Marks everything sent so far as read. */
  skipSent(): void {
    this.readPos = this.sent.length;
  }

  private nextSent(): Promise<Sent> {
    const index = this.readPos++;
    if (index < this.sent.length) return Promise.resolve(this.sent[index]!);
    // Sends happen one at a time, so the next one is the one at `index`.
    return new Promise((resolve) => this.waiters.push({ test: () => this.sent.length > index, resolve: () => resolve(this.sent[index]!) }));
  }

  private emit(type: string, event: unknown): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(event);
  }
}

function decoded(text: string): ControlMessage {
  const r = decodeText(text);
  if (!r.ok) throw new Error(`the page sent undecodable text: ${text}`);
  return r.message;
}
