import {
  decodeBinary, decodeText, encodeControl, FrameFlag, PeerFeature, PROTOCOL_VERSION,
  type ControlMessage, type FrameMessage, type WelcomeMessage,
} from '../../../protocol';

/** What a transport reports. Every callback runs on the socket's event turn. */
export interface TransportHandlers {
  /** The relay accepted `hello`: the socket may now carry the role's flow. */
  onReady(welcome: WelcomeMessage): void;
  /** A decoded control message other than `welcome`. */
  onControl(message: ControlMessage): void;
  /** A decoded FRAME, with the size of the whole message (for bandwidth). */
  onFrame(frame: FrameMessage, messageBytes: number): void;
  /**
   * A binary message with the SEALED flag (PROTOCOL.md §12.4), as received: only the
   * session holds the key that opens it, and decides whether one may come at all.
   */
  onSealedBinary(bytes: Uint8Array): void;
  /** A message the codec refused. Text from the relay ends the socket; a bad frame is only dropped. */
  onMalformed(kind: 'text' | 'binary', detail: string): void;
  /** The socket is closed; called once. */
  onClose(closeCode: number, reason: string): void;
}

/** Where the socket goes and how it is made. */
export interface TransportOptions {
  /** `ws(s)://host/ws`. */
  readonly url: string;
  /** Sent in `hello` for the relay's diagnostics. */
  readonly app: string;
  /** Opens the socket; the browser's WebSocket by default (injectable for tests). */
  readonly createSocket?: (url: string) => WebSocket;
}

/** Ready states of the WebSocket API, spelled out so this module needs no global at load time. */
const OPEN = 1;

/**
 * One WebSocket to the relay, speaking the technician role: says `hello`, waits for
 * `welcome`, decodes every message with the protocol codec at this edge and hands typed
 * messages up; sealed binary messages go up unread. It knows nothing of sessions, keys or
 * screens (the noVNC "websock" layer).
 */
export class RelayTransport {
  private socket: WebSocket | undefined;
  private welcome: WelcomeMessage | undefined;
  private closed = false;

  constructor(private readonly options: TransportOptions, private readonly handlers: TransportHandlers) {}

  /** Opens the socket and says hello. Call once. */
  open(): void {
    if (this.socket !== undefined) throw new Error('transport already opened');
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url));
    const socket = create(this.options.url);
    // Frames arrive as ArrayBuffers: a Uint8Array view costs nothing, a Blob would need a read.
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', this.onSocketOpen);
    socket.addEventListener('message', this.onSocketMessage);
    socket.addEventListener('close', this.onSocketClose);
    this.socket = socket;
  }

  get isReady(): boolean {
    return this.welcome !== undefined && !this.closed && this.socket?.readyState === OPEN;
  }

  /** Bytes queued in the socket and not yet sent. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Sends a control message; false when the socket is not open (the message is dropped). */
  send(message: ControlMessage): boolean {
    if (this.closed || this.socket?.readyState !== OPEN) return false;
    this.socket.send(encodeControl(message));
    return true;
  }

  /** Sends a binary message (a FRAME_ACK, plain or sealed); false when the socket is not open. */
  sendBinary(bytes: Uint8Array): boolean {
    if (this.closed || this.socket?.readyState !== OPEN) return false;
    this.socket.send(bytes);
    return true;
  }

  /**
   * Closes the socket. Data sent before stays ahead of the close frame (RFC 6455), so a
   * `bye` sent just before still reaches the relay. `onClose` follows from the socket.
   */
  close(code = 1000, reason = ''): void {
    const socket = this.socket;
    if (socket === undefined || this.closed) return;
    try {
      socket.close(code, reason);
    } catch {
      socket.close();
    }
  }

  private readonly onSocketOpen = (): void => {
    // `resume`: a relay that can gives the session a credential, so this page can come back after a drop.
    this.send({ type: 'hello', version: PROTOCOL_VERSION, role: 'technician', app: this.options.app, features: [PeerFeature.RESUME] });
  };

  private readonly onSocketMessage = (event: MessageEvent): void => {
    if (this.closed) return;
    const data: unknown = event.data;
    if (typeof data === 'string') {
      this.onText(data);
    } else if (data instanceof ArrayBuffer) {
      this.onBinary(new Uint8Array(data));
    }
  };

  private onText(text: string): void {
    const decoded = decodeText(text);
    if (!decoded.ok) {
      // The relay validates what it forwards, so undecodable text means something is badly
      // wrong between us: end the socket rather than guess.
      this.handlers.onMalformed('text', decoded.detail);
      this.close(4000, decoded.error.code);
      return;
    }
    const message = decoded.message;
    if (message.type === 'welcome' && this.welcome === undefined) {
      this.welcome = message;
      this.handlers.onReady(message);
      return;
    }
    this.handlers.onControl(message);
  }

  private onBinary(bytes: Uint8Array): void {
    if (bytes.length > 1 && (bytes[1]! & FrameFlag.SEALED) !== 0) {
      this.handlers.onSealedBinary(bytes);
      return;
    }
    const decoded = decodeBinary(bytes);
    if (!decoded.ok) {
      // The relay forwards frames unread: a bad one is the client's fault. Drop it (§6.5).
      this.handlers.onMalformed('binary', decoded.detail);
      return;
    }
    if (decoded.message.kind === 'frame') this.handlers.onFrame(decoded.message, bytes.byteLength);
    // A FRAME_ACK is never sent to a technician; ignore one rather than fail.
  }

  private readonly onSocketClose = (event: CloseEvent): void => {
    if (this.closed) return;
    this.closed = true;
    const socket = this.socket;
    socket?.removeEventListener('open', this.onSocketOpen);
    socket?.removeEventListener('message', this.onSocketMessage);
    socket?.removeEventListener('close', this.onSocketClose);
    this.handlers.onClose(event.code, event.reason);
  };
}
