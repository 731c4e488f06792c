import type { ControlMessage, ErrorSpec, PeerLeftReason, Role } from '../protocol';

/**
 * The "deliver to the peer" step: what the hub needs of a connected peer, whatever
 * carries it (a WebSocket here, a polling mailbox for the legacy API, and later a link
 * to another relay machine). Every method is non-blocking and never throws.
 *
 * `receivedAtMs` is when the relay received what is being forwarded (monotonic clock),
 * for the forwarding-latency histogram; absent for what the relay itself originates.
 */

/** A message forwarded from the other peer, rather than one the relay originates. */
export interface Forwarded {
  /** When the relay received it (monotonic clock), for the forwarding-latency histogram. */
  readonly receivedAtMs: number;
  /**
   * Its text exactly as received, when that text held only the members the relay checked
   * (the decoder says so): a WebSocket link sends these bytes instead of encoding again.
   */
  readonly bytes?: Uint8Array;
}
export interface PeerLink {
  readonly role: Role;
  /** Display name the other side sees (computer name or technician name). */
  readonly name: string;
  /** Speaks the legacy polling API. */
  readonly legacy: boolean;
  /** A technician signed in to the relay: its account's name, which the customer is told is verified. */
  readonly verifiedName?: string;
  /** …and its account's id, for the session's record. */
  readonly verifiedUserId?: number;
  /** Can only draw whole-screen images (legacy technicians). */
  readonly wholeFramesOnly: boolean;
  /** Speaks protocol version 2 or later: agrees on keys and seals everything it sends its peer. */
  readonly seals: boolean;
  /**
   * Said `resume` in `hello` (and seals): may be sent the resume messages, and its session
   * waits for it after a drop when the other side can resume too (PROTOCOL.md §14).
   */
  readonly resumes: boolean;
  /** A control or input message, never dropped (a peer that does not read is ended). */
  send(message: ControlMessage, forwarded?: Forwarded): void;
  /** A FRAME message (technicians only). May be replaced by a newer one if the peer lags. */
  sendFrame(frame: Uint8Array, receivedAtMs?: number): void;
  /** A FRAME_ACK (to clients) or a FILE_CHUNK (to either side, sealed sessions only). Never dropped. */
  sendAck(ack: Uint8Array, receivedAtMs?: number): void;
  /** The session is over for this peer: tell it why, then close. Idempotent. */
  end(reason: PeerEnd): void;
}

/** Why a peer's part ends: the other side left, or an error (with its catalogue entry). */
export type PeerEnd =
  | { readonly kind: 'peer-left'; readonly reason: PeerLeftReason }
  | { readonly kind: 'error'; readonly error: ErrorSpec };
