/**
 * WebSocket close codes. 1000–1015 are the standard ones (RFC 6455); 4000–4999 are
 * ours. A close code tells a peer *why* its socket ended, so a UI can say it in words
 * and decide whether reconnecting makes sense.
 */
export const CloseCode = Object.freeze({
  /** Normal end, for example after `bye`. */
  NORMAL: 1000,
  /** The relay is shutting down; reconnecting later is fine. */
  GOING_AWAY: 1001,
  /** The WebSocket layer saw a frame that breaks RFC 6455 (sent by the transport, not by the relay's logic). */
  TRANSPORT_PROTOCOL_ERROR: 1002,
  /** The WebSocket layer saw a text message that is not valid UTF-8 (sent by the transport). */
  TRANSPORT_INVALID_PAYLOAD: 1007,
  /** The transport refused a message larger than the hard payload limit. */
  TRANSPORT_TOO_BIG: 1009,
  /** The relay failed while handling this peer's message; only this socket ends. */
  INTERNAL_ERROR: 1011,
  /** Malformed or unexpected message. */
  PROTOCOL_ERROR: 4000,
  /** The peer announced a protocol version the relay does not speak. */
  UNSUPPORTED_VERSION: 4001,
  /** No `hello` within the handshake time. */
  HANDSHAKE_TIMEOUT: 4002,
  /** A message over its kind's size limit. */
  MESSAGE_TOO_BIG: 4003,
  /** Too many messages per second. */
  RATE_LIMITED: 4004,
  /** Too many wrong access codes from this address (or from everyone at once). */
  TOO_MANY_ATTEMPTS: 4005,
  /** The access code is not valid now (wrong, expired or already used: never which). */
  INVALID_CODE: 4006,
  /** The customer declined the technician (or did not answer in time). */
  CONSENT_DENIED: 4007,
  /** The other side of the session left; the session is over. */
  SESSION_ENDED: 4008,
  /** A heartbeat, consent or session age limit ran out. */
  TIMEOUT: 4009,
  /** The relay holds as many sessions or sockets as it is allowed to. */
  SERVER_FULL: 4010,
  /** The peer does not read what is sent to it; its backlog passed the limit. */
  BACKLOG: 4011,
  /** This address holds as many connections or sessions, or registers as often, as one address may. */
  TOO_MANY_FROM_ADDRESS: 4012,
  /** End-to-end verification failed: the code was mistyped, or someone is interfering. */
  E2E_FAILED: 4013,
  /** This relay pairs only peers that seal end to end; the peer is too old. */
  E2E_REQUIRED: 4014,
  /** The resume credential is not valid (wrong, used, or for another side): a new session needs a new code. */
  RESUME_REFUSED: 4015,
} as const);

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
