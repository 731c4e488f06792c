import { CloseCode } from './close-codes';

/**
 * One entry of the error catalogue. The `code` is stable: UIs translate by it, tests
 * assert on it and docs/PROTOCOL.md lists every one. `message` is the English text sent
 * on the wire; screens show their own Spanish or English wording chosen by `code`.
 */
export interface ErrorSpec {
  readonly code: string;
  readonly message: string;
  /** HTTP status when the error answers a legacy REST call. */
  readonly httpStatus: number;
  /** Close code when the error ends the socket; absent when the socket stays open. */
  readonly closeCode?: number;
}

function spec(code: string, message: string, httpStatus: number, closeCode?: number): ErrorSpec {
  return Object.freeze(closeCode === undefined ? { code, message, httpStatus } : { code, message, httpStatus, closeCode });
}

/** Every error a peer can cause or be told about. Codes are `RS_ERR_<AREA>_<WHAT>`. */
export const Errors = Object.freeze({
  PROTO_MALFORMED: spec('RS_ERR_PROTO_MALFORMED', 'The message could not be decoded.', 400, CloseCode.PROTOCOL_ERROR),
  PROTO_VERSION: spec('RS_ERR_PROTO_VERSION', 'This protocol version is not supported; please update.', 400, CloseCode.UNSUPPORTED_VERSION),
  PROTO_UNEXPECTED: spec('RS_ERR_PROTO_UNEXPECTED', 'This message is not allowed now.', 409),
  PROTO_HANDSHAKE_TIMEOUT: spec('RS_ERR_PROTO_HANDSHAKE_TIMEOUT', 'No hello was received in time.', 408, CloseCode.HANDSHAKE_TIMEOUT),
  LIMIT_MESSAGE_SIZE: spec('RS_ERR_LIMIT_MESSAGE_SIZE', 'The message is larger than allowed.', 413, CloseCode.MESSAGE_TOO_BIG),
  LIMIT_RATE: spec('RS_ERR_LIMIT_RATE', 'Too many messages per second.', 429, CloseCode.RATE_LIMITED),
  LIMIT_BACKLOG: spec('RS_ERR_LIMIT_BACKLOG', 'The peer is not reading its messages.', 503, CloseCode.BACKLOG),
  LIMIT_FILE_BYTES: spec('RS_ERR_LIMIT_FILE_BYTES', 'This session moved more file bytes than this relay allows.', 413, CloseCode.SESSION_ENDED),
  LIMIT_SERVER_FULL: spec('RS_ERR_LIMIT_SERVER_FULL', 'The relay is full; please try again shortly.', 503, CloseCode.SERVER_FULL),
  LIMIT_ADDRESS: spec('RS_ERR_LIMIT_ADDRESS', 'Too many connections or sessions from this address; please try again later.', 429, CloseCode.TOO_MANY_FROM_ADDRESS),
  CODE_INVALID: spec('RS_ERR_CODE_INVALID', 'The access code is not valid. Check it and try again.', 404, CloseCode.INVALID_CODE),
  CODE_ATTEMPTS: spec('RS_ERR_CODE_ATTEMPTS', 'Too many attempts. Please wait a moment before trying again.', 429, CloseCode.TOO_MANY_ATTEMPTS),
  CODE_EXPIRED: spec('RS_ERR_CODE_EXPIRED', 'The access code expired before anyone joined; ask for a new one.', 410, CloseCode.TIMEOUT),
  CODE_TAKEN: spec('RS_ERR_CODE_TAKEN', 'This access code is already in use.', 409),
  CONSENT_DENIED: spec('RS_ERR_CONSENT_DENIED', 'The customer declined the connection.', 403, CloseCode.CONSENT_DENIED),
  CONSENT_TIMEOUT: spec('RS_ERR_CONSENT_TIMEOUT', 'The customer did not answer in time.', 408, CloseCode.CONSENT_DENIED),
  SESSION_ENDED: spec('RS_ERR_SESSION_ENDED', 'The session has ended.', 410, CloseCode.SESSION_ENDED),
  SESSION_UNKNOWN: spec('RS_ERR_SESSION_UNKNOWN', 'No such session.', 404),
  SESSION_VIEW_ONLY: spec('RS_ERR_SESSION_VIEW_ONLY', 'The customer shares the screen view-only; input is not allowed.', 403),
  TIMEOUT_HEARTBEAT: spec('RS_ERR_TIMEOUT_HEARTBEAT', 'The connection stopped answering.', 408, CloseCode.TIMEOUT),
  TIMEOUT_IDLE: spec('RS_ERR_TIMEOUT_IDLE', 'Neither register nor join came in time after hello.', 408, CloseCode.TIMEOUT),
  TIMEOUT_SESSION_AGE: spec('RS_ERR_TIMEOUT_SESSION_AGE', 'The session reached its maximum age.', 408, CloseCode.TIMEOUT),
  E2E_FAILED: spec('RS_ERR_E2E_FAILED', 'The connection could not be verified: the code was mistyped, or someone is interfering.', 403, CloseCode.E2E_FAILED),
  E2E_REQUIRED: spec('RS_ERR_E2E_REQUIRED', 'This relay accepts only end-to-end encrypted sessions; please update.', 403, CloseCode.E2E_REQUIRED),
  SIGNIN_FAILED: spec('RS_ERR_SIGNIN_FAILED', 'Wrong user name or password.', 401),
  SIGNIN_BLOCKED: spec('RS_ERR_SIGNIN_BLOCKED', 'Too many failed sign-ins. Please wait a few minutes before trying again.', 429),
  SIGNIN_REQUIRED: spec('RS_ERR_SIGNIN_REQUIRED', 'Please sign in first.', 401),
  ADMIN_REQUIRED: spec('RS_ERR_ADMIN_REQUIRED', 'Only administrators may see this.', 403),
  RESUME_INVALID: spec('RS_ERR_RESUME_INVALID', 'This session cannot be resumed: the credential is not valid.', 403, CloseCode.RESUME_REFUSED),
  RESUME_EXPIRED: spec('RS_ERR_RESUME_EXPIRED', 'The session is over: a side did not come back within the grace period, or it ended while this side was away.', 410, CloseCode.SESSION_ENDED),
  RESUME_REPLACED: spec('RS_ERR_RESUME_REPLACED', 'This connection was replaced by a resumed one.', 409, CloseCode.SESSION_ENDED),
  HTTP_BAD_REQUEST: spec('RS_ERR_HTTP_BAD_REQUEST', 'The request body is not valid JSON of the expected shape.', 400),
  HTTP_BODY_TOO_BIG: spec('RS_ERR_HTTP_BODY_TOO_BIG', 'The request body is larger than allowed.', 413),
  HTTP_NOT_FOUND: spec('RS_ERR_HTTP_NOT_FOUND', 'Not found.', 404),
  HTTP_METHOD: spec('RS_ERR_HTTP_METHOD', 'Method not allowed.', 405),
  SERVER_SHUTDOWN: spec('RS_ERR_SERVER_SHUTDOWN', 'The relay is restarting; reconnect in a moment.', 503, CloseCode.GOING_AWAY),
  SERVER_INTERNAL: spec('RS_ERR_SERVER_INTERNAL', 'The relay failed to handle this request; it has been logged.', 500, CloseCode.INTERNAL_ERROR),
} as const);

const BY_CODE = new Map<string, ErrorSpec>(Object.values(Errors).map((e) => [e.code, e]));

/** Looks up a catalogue entry by its wire code (for example from an `error` message). */
export function errorByCode(code: string): ErrorSpec | undefined {
  return BY_CODE.get(code);
}
