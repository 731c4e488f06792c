import type { Logger } from 'pino';
import WebSocket from 'ws';
import { decodeText } from '../../protocol';
import { CLUSTER_ADDRESS_HEADER, CLUSTER_SECRET_HEADER, INTERNAL_WS_PATH } from './internal-auth';

export interface NodeLinkOptions {
  /** The owner node's internal URL (http://host:port). */
  readonly nodeUrl: string;
  readonly secret: string;
  /** The peer's real address: the owner node's limits count it. */
  readonly peerAddress: string;
  /** The peer's cookie (a technician's sign-in), for the owner node to look up. */
  readonly cookie?: string;
  /** The peer's `hello`, exactly as it sent it: the owner node checks it again. */
  readonly hello: Buffer;
  /** What the peer sent from `join` or `resume` on, in order, exactly as sent. */
  readonly pending: ReadonlyArray<readonly [Buffer, boolean]>;
  /** Largest message either way (the owner node enforces the real limits). */
  readonly maxPayloadBytes: number;
  /** Bytes waiting for the peer beyond which the owner node is not read (TCP pushes back to it). */
  readonly backlogBytes: number;
  /** Bytes of the peer held until the owner node answers; past them the peer is cut. */
  readonly earlyBytes: number;
  readonly logger: Logger;
  /** The owner could not be reached (connection refused, no answer): it may have died. */
  readonly onUnreachable: () => void;
}

/** Close codes a peer may be sent as they are; anything else (1005, 1006, 1015) is a cut. */
function sendable(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** How long the owner node has to answer the relayed `hello`. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * One peer relayed to the node that holds its session (issue 14 item 3): a WebSocket from
 * this node to the owner's internal endpoint, with the cluster secret and the peer's
 * address. The owner sees an ordinary peer and applies every rule; this node passes bytes
 * both ways unread and unchanged. The owner's `welcome` to the relayed `hello` is dropped
 * (the peer already has this node's, and every node sends the same). Frames and input go
 * node to node, never through Redis.
 *
 * Backpressure: while the peer does not read, the owner's socket is not read either, so the
 * owner's own frame gate sees the backlog and drops frames as it does for a slow peer.
 */
export class NodeLink {
  private readonly upstream: WebSocket;
  private state: 'connecting' | 'welcome' | 'open' | 'closed' = 'connecting';
  private readonly early: Array<readonly [Buffer, boolean]> = [];
  private heldBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly downstream: WebSocket, private readonly options: NodeLinkOptions) {
    const url = `${options.nodeUrl.replace(/^http/, 'ws')}${INTERNAL_WS_PATH}`;
    this.upstream = new WebSocket(url, {
      headers: {
        [CLUSTER_SECRET_HEADER]: options.secret, [CLUSTER_ADDRESS_HEADER]: options.peerAddress,
        ...(options.cookie !== undefined ? { cookie: options.cookie } : {}),
      },
      perMessageDeflate: false,
      maxPayload: options.maxPayloadBytes,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
    });
    this.early.push(...options.pending);
    this.timer = setTimeout(() => this.unreachable('no welcome in time'), CONNECT_TIMEOUT_MS);
    this.upstream.on('open', () => {
      this.state = 'welcome';
      this.upstream.send(options.hello, { binary: false });
    });
    this.upstream.on('message', this.fromOwner);
    this.upstream.on('close', this.ownerClosed);
    this.upstream.on('error', (err: Error) => {
      if (this.state === 'connecting') this.unreachable(err.message);
      else options.logger.debug({ err: err.message }, 'node link error');
    });
  }

  /**
   * A message of the peer, passed on (held until the owner said welcome). False when the
   * peer sent more than may be held meanwhile: the caller ends it.
   */
  fromPeer(data: Buffer, isBinary: boolean): boolean {
    if (this.state === 'open') this.upstream.send(data, { binary: isBinary });
    else if (this.state !== 'closed') {
      this.heldBytes += data.byteLength;
      if (this.heldBytes > this.options.earlyBytes) return false;
      this.early.push([data, isBinary]);
    }
    return true;
  }

  /** The peer's socket is gone: the owner sees the drop (and may wait for the side to resume). */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    this.upstream.terminate();
  }

  private readonly fromOwner = (data: Buffer, isBinary: boolean): void => {
    if (this.state === 'welcome') {
      clearTimeout(this.timer);
      this.state = 'open';
      // The owner's welcome to the relayed hello: the peer has ours. Anything else (the owner
      // is full, say) is the owner's word to the peer, and its close follows.
      const decoded = isBinary ? undefined : decodeText(data.toString('utf8'));
      if (decoded === undefined || !decoded.ok || decoded.message.type !== 'welcome') {
        this.downstream.send(data, { binary: isBinary });
        return;
      }
      for (const [message, binary] of this.early.splice(0)) this.upstream.send(message, { binary });
      return;
    }
    if (this.state !== 'open') return;
    this.downstream.send(data, { binary: isBinary }, this.drained);
    if (this.downstream.bufferedAmount > this.options.backlogBytes && !this.upstream.isPaused) this.upstream.pause();
  };

  private readonly drained = (): void => {
    if (this.upstream.isPaused && this.downstream.bufferedAmount <= this.options.backlogBytes / 2) this.upstream.resume();
  };

  private readonly ownerClosed = (code: number, reason: Buffer): void => {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.timer);
    if (!wasOpen) {
      this.options.onUnreachable();
      this.downstream.terminate();
      return;
    }
    // The owner's close code is the peer's (4008 session ended, 4015, ...); a cut stays a cut,
    // so a peer whose owner node died reconnects and resumes elsewhere.
    if (sendable(code)) this.downstream.close(code, reason.toString('utf8').slice(0, 120));
    else this.downstream.terminate();
  };

  private unreachable(why: string): void {
    if (this.state === 'closed' || this.state === 'open') return;
    this.options.logger.warn({ why }, 'the node holding this session did not answer');
    this.state = 'closed';
    clearTimeout(this.timer);
    this.upstream.terminate();
    this.options.onUnreachable();
    // A cut: the peer tries again (its back-off), by then the node is known dead here.
    this.downstream.terminate();
  }
}
