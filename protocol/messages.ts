import type { InputEvent } from './input';

/**
 * JSON control messages. Every text message is one JSON object with a `type`. The
 * relay routes on `type` alone. Between two peers of version 2 every peer-to-peer
 * message travels inside `sealed` (its body encrypted end to end, PROTOCOL.md §12), so
 * the relay must never depend on a peer-to-peer body to route.
 */

export type Role = 'client' | 'technician';

/** First message of every peer: the version handshake. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly version: number;
  readonly role: Role;
  /** Free-form application name and version, for diagnostics (≤ 64 chars). */
  readonly app?: string;
  /**
   * What this peer takes from the relay beyond its version (PeerFeature names): `resume`,
   * the resume messages. An older relay drops the member unread.
   */
  readonly features?: readonly string[];
}

/** Relay's answer to a supported `hello`. */
export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly version: number;
  /** The relay pings this often; a peer silent for two intervals is dropped. */
  readonly heartbeatMs: number;
  readonly maxFrameBytes: number;
  readonly maxTextBytes: number;
  /** File bytes a session may move through this relay, both ways together (absent: no file transfer). */
  readonly maxFileBytes?: number;
  /**
   * What this relay routes beyond its version (PeerFeature names): `cursor`, the sealed
   * `cursor-shape` and `cursor-pos`. An older relay names none, and ends a socket that
   * sends it a type it does not know, so a peer sends those only to a relay that named them.
   */
  readonly features?: readonly string[];
}

/** Client asks for an access code (again, to replace a live one). */
export interface RegisterMessage {
  readonly type: 'register';
  /** Name shown to the technician, e.g. the computer's name (≤ 64 chars). */
  readonly name: string;
}

/** Relay gives the client its access code. */
export interface CodeMessage {
  readonly type: 'code';
  /** Six ASCII digits. Shown to the customer, never logged. */
  readonly code: string;
  /** When the code stops working if nobody joined, in ms since the Unix epoch (relay clock). */
  readonly expiresAt: number;
  /** The same as a duration, so a peer with a skewed clock can count down. */
  readonly ttlMs: number;
}

/** Technician joins with the customer's code. */
export interface JoinMessage {
  readonly type: 'join';
  readonly code: string;
  /** Name shown to the customer when asking for consent (≤ 64 chars). */
  readonly name: string;
}

/** Relay tells the technician the customer is being asked. */
export interface WaitingConsentMessage {
  readonly type: 'waiting-consent';
  readonly timeoutMs: number;
}

/** Relay asks the client's user to accept the technician. */
export interface ConsentRequestMessage {
  readonly type: 'consent-request';
  readonly technicianName: string;
  /** The relay denies on the customer's behalf after this long. */
  readonly timeoutMs: number;
  /**
   * The technician signed in to the relay with this account name (≤ 64): the relay vouches
   * that it is a CompuEasys technician's account. Absent for an anonymous technician.
   */
  readonly verifiedName?: string;
}

/** The customer's answer. */
export interface ConsentMessage {
  readonly type: 'consent';
  readonly granted: boolean;
  /** Share the screen without allowing input. */
  readonly viewOnly: boolean;
}

/** What a peer can do; lets each side adapt to the other (a legacy technician wants whole frames). */
export interface PeerInfo {
  readonly name: string;
  /** The peer speaks the legacy HTTP polling API. */
  readonly legacy: boolean;
  /** The peer can only draw whole-screen images, not rectangles. */
  readonly wholeFramesOnly: boolean;
}

/** Both sides: the session is live. */
export interface PairedMessage {
  readonly type: 'paired';
  readonly sessionId: string;
  readonly viewOnly: boolean;
  readonly peer: PeerInfo;
}

export type PeerLeftReason = 'bye' | 'closed' | 'timeout' | 'stopped' | 'error';

/** The other side left; the session is over and the relay closes this socket next. */
export interface PeerLeftMessage {
  readonly type: 'peer-left';
  readonly reason: PeerLeftReason;
}

export interface ErrorMessage {
  readonly type: 'error';
  /** A stable `RS_ERR_…` code from the catalogue. */
  readonly code: string;
  readonly message: string;
}

/** Either direction: an orderly goodbye. */
export interface ByeMessage {
  readonly type: 'bye';
  readonly reason?: string;
}

/** Technician → client: one input event. `seq` increases by one per event. */
export interface InputMessage {
  readonly type: 'input';
  readonly seq: number;
  readonly event: InputEvent;
}

export interface DisplayInfo {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly primary: boolean;
}

/** Client → technician: the displays and the one being streamed. Sent on pairing and on change. */
export interface ScreenInfoMessage {
  readonly type: 'screen-info';
  readonly displays: readonly DisplayInfo[];
  readonly streaming: number;
}

export type RefreshReason = 'requested' | 'dropped' | 'joined';

/** To the client: send a full frame next (the technician asked, or the relay dropped a frame). */
export interface RefreshMessage {
  readonly type: 'refresh';
  readonly reason: RefreshReason;
}

/** Technician → client: image quality, `auto` or a fixed JPEG quality 1–100. */
export interface QualityMessage {
  readonly type: 'quality';
  readonly mode: 'auto' | 'fixed';
  readonly value?: number;
}

// ---- version 2: the key agreement and sealed messages (PROTOCOL.md §12) ------------

/**
 * Relay → both peers of version 2, when a technician joined: agree on keys now. `binding`
 * is 16 random bytes (base64url) that the agreement binds to, so a transcript of one
 * session is worth nothing in another.
 */
export interface E2eStartMessage {
  readonly type: 'e2e-start';
  readonly binding: string;
}

/** Peer → peer through the relay: this side's CPace key share (32 bytes, base64url). */
export interface E2eShareMessage {
  readonly type: 'e2e-share';
  readonly share: string;
}

/** Peer → peer through the relay: this side's key confirmation tag (32 bytes, base64url). */
export interface E2eConfirmMessage {
  readonly type: 'e2e-confirm';
  readonly mac: string;
}

/**
 * Why a peer gives up on end-to-end encryption: `mismatch` (the other side's confirmation
 * did not verify: a mistyped code, or someone in the middle), `incomplete-code` (the
 * technician typed only the six routing digits of a longer code), `tampered` (a sealed
 * message did not open: altered, replayed or reordered on the way).
 */
export type E2eFailureReason = 'mismatch' | 'incomplete-code' | 'tampered';

/** Peer → relay: the agreement failed or a sealed message did not open. The relay ends the attempt. */
export interface E2eFailedMessage {
  readonly type: 'e2e-failed';
  readonly reason: E2eFailureReason;
}

/**
 * What a side can take besides the messages every peer of its version knows, announced in
 * `introduce` so the other side sends nothing an older app would refuse (a sealed message
 * that does not decode ends the session). A name a side does not know means nothing to it.
 */
export const PeerFeature = Object.freeze({
  /** The page draws the customer's pointer: send it `cursor-shape` and `cursor-pos`. */
  CURSOR: 'cursor',
  /**
   * The page lets the technician pick one of several monitors (`select-display`): list
   * them in `screen-info` and stream the primary one first. A page that does not say so
   * is shown the whole desktop, as before.
   */
  DISPLAYS: 'displays',
  /**
   * This side shows a chat and takes `chat` messages: named by the page and by the
   * customer's app; a chat is offered only when both (and the relay) did.
   */
  CHAT: 'chat',
  /**
   * This side takes `clipboard` (and the customer's app `clipboard-request`): named by the
   * page and by a customer's app that can reach its system's clipboard.
   */
  CLIPBOARD: 'clipboard',
  /**
   * The customer's app shows "this session is being recorded" while told so
   * (`recording-started` … `recording-stopped`); the page records only a customer who can
   * be told.
   */
  RECORDING: 'recording',
  /**
   * The page draws FRAME rectangles whose image is smaller than the rectangle (flag SCALED,
   * PROTOCOL.md §6): send it whole-screen motion at half resolution. Said by the relay too,
   * whose envelope check must know the flag.
   */
  SCALED_FRAMES: 'scaled-frames',
  /**
   * The page draws FRAME rectangles in format 3, deflated RGB (PROTOCOL.md §6.2.1): small
   * changes then go lossless and skip the image codecs on both sides. Said by the page
   * only: the format is inside the sealed body, which the relay never reads.
   */
  DEFLATED_RGB: 'deflated-rgb',
  /**
   * A dropped connection comes back into its session (PROTOCOL.md §14): said by a peer in
   * `hello` and by the relay in `welcome`; the resume messages go only where both said it.
   */
  RESUME: 'resume',
  /**
   * This side takes files (`file-offer` … `file-cancel`, PROTOCOL.md §4.3): named by the
   * page, by a customer's app that can save and pick files, and by a relay that routes
   * them and counts their bytes.
   */
  FILES: 'files',
} as const);

/** What travels only inside `sealed`: each side's name, after key confirmation. */
export interface IntroduceMessage {
  readonly type: 'introduce';
  /** The technician's name (asked about in the consent question) or the computer's name (≤ 64). */
  readonly name: string;
  /** What this side can take (absent: nothing beyond version 2). */
  readonly features?: readonly string[];
}

/**
 * Client → technician, sealed, to a technician that announced the `cursor` feature: a
 * shape of the customer's pointer, sent once per shape (both sides remember the last
 * {@link CURSOR_SHAPE_CACHE} shapes sent, oldest out first). The decoder checks the
 * members' types only; {@link decodeCursorImage} (protocol/cursor.ts) checks the size and
 * the pixels, so a bad shape is refused alone without ending the session.
 */
export interface CursorShapeMessage {
  readonly type: 'cursor-shape';
  /** The agent's name for this shape (on X11 the XFixes cursor serial), uint32. */
  readonly id: number;
  readonly width: number;
  readonly height: number;
  /** The hotspot: the pixel of the shape that sits on the pointer's position. */
  readonly hotX: number;
  readonly hotY: number;
  /** width × height × 4 bytes, RGBA, straight (not premultiplied) alpha, row by row, base64url. */
  readonly rgba: string;
}

/** Client → technician, sealed: where the customer's pointer is, in screen pixels, and with which shape. */
export interface CursorPosMessage {
  readonly type: 'cursor-pos';
  readonly x: number;
  readonly y: number;
  /** False while the pointer is hidden (or off the streamed screen): draw nothing. */
  readonly visible: boolean;
  /** The `id` of a `cursor-shape` sent before. */
  readonly shape: number;
}

/**
 * Technician → client, sealed, once both the page and the relay named `displays`: stream
 * this display of the last `screen-info` (0, when listed, is the whole desktop). The
 * client answers with a new `screen-info` and a full update; an id it did not list is
 * ignored.
 */
export interface SelectDisplayMessage {
  readonly type: 'select-display';
  readonly id: number;
}

/**
 * Peer → peer, sealed, once both sides and the relay named `chat`: one chat message,
 * exactly as typed (any Unicode, 1 … MAX_CHAT_TEXT_LENGTH UTF-16 units).
 */
export interface ChatMessage {
  readonly type: 'chat';
  readonly text: string;
}

/** Why the customer's side sends no clipboard text: none that fits, or none it could read. */
export type ClipboardProblem = 'too-long' | 'unavailable';

/**
 * Peer → peer, sealed, in a control session, once both sides and the relay named
 * `clipboard`. From the technician: put this text in the customer's clipboard. From the
 * customer's app: its clipboard's text (in answer to `clipboard-request`, or because it
 * changed while followed), or why there is none (`problem`, with an empty text).
 */
export interface ClipboardMessage {
  readonly type: 'clipboard';
  readonly text: string;
  readonly problem?: ClipboardProblem;
}

/**
 * Technician → client, sealed, in a control session: send the clipboard's text now, and,
 * with `follow`, again whenever it changes (until a request with `follow` false).
 */
export interface ClipboardRequestMessage {
  readonly type: 'clipboard-request';
  readonly follow: boolean;
}

/**
 * Technician → client, sealed, when both sides and the relay named `recording`: the page
 * starts (and later stops) recording what it shows. The customer's app shows it for the
 * whole time. Two types, not one with a flag, so that the relay can log when a recording
 * started and stopped without reading anything sealed.
 */
export interface RecordingStartedMessage {
  readonly type: 'recording-started';
}
export interface RecordingStoppedMessage {
  readonly type: 'recording-stopped';
}

// ---- file transfer (issue 15 item 2): sealed, both ways, the technician names every transfer --

/**
 * Sender → receiver: this file, `size` bytes, may come. From the technician it asks the
 * customer to accept it; from the customer's app it answers a `file-request` of the same
 * `id` (the customer picked this file). `name` is the sender's name for it, hostile until
 * made safe by whoever saves it.
 */
export interface FileOfferMessage {
  readonly type: 'file-offer';
  /** The technician's number for the transfer, 1 … MAX_TRANSFER_ID, never reused in a session. */
  readonly id: number;
  readonly name: string;
  readonly size: number;
}

/** Technician → client: ask the customer to pick a file to send (answered by `file-offer` or `file-decline`). */
export interface FileRequestMessage {
  readonly type: 'file-request';
  readonly id: number;
}

/** Receiver → sender: send the file's bytes (the technician accepts the customer's answer to its request the same way). */
export interface FileAcceptMessage {
  readonly type: 'file-accept';
  readonly id: number;
}

/** Why nothing will be sent. */
export type FileDeclineReason = 'declined' | 'too-large' | 'busy' | 'unavailable';

/** The side asked (to accept an offer, or to pick a file) says no: nothing is sent. */
export interface FileDeclineMessage {
  readonly type: 'file-decline';
  readonly id: number;
  readonly reason: FileDeclineReason;
}

/**
 * Receiver → sender, after a dropped connection came back (the sealed file bytes travel as
 * binary FILE_CHUNK records, which are not kept for resending): the receiver has the first
 * `offset` bytes; the sender goes on from there.
 */
export interface FileResumeMessage {
  readonly type: 'file-resume';
  readonly id: number;
  readonly offset: number;
}

/** Receiver → sender: the first `received` bytes are written; the sender may have FILE_WINDOW_BYTES beyond in flight. */
export interface FileAckMessage {
  readonly type: 'file-ack';
  readonly id: number;
  readonly received: number;
}

/** Sender → receiver, after the last chunk: the SHA-256 of the whole file (32 bytes, base64url). */
export interface FileEndMessage {
  readonly type: 'file-end';
  readonly id: number;
  readonly sha256: string;
}

/** Receiver → sender: the whole file matched its SHA-256 and is saved. The transfer is over. */
export interface FileSavedMessage {
  readonly type: 'file-saved';
  readonly id: number;
}

/**
 * Why a transfer stopped half-way: `cancelled` (a person pressed cancel), `failed` (it
 * could not be read or written), `corrupt` (the SHA-256 did not match), `refused` (the
 * other side broke the transfer's rules).
 */
export type FileCancelReason = 'cancelled' | 'failed' | 'corrupt' | 'refused';

/** Either side: the transfer is over, nothing kept (the receiver deletes what it wrote). */
export interface FileCancelMessage {
  readonly type: 'file-cancel';
  readonly id: number;
  readonly reason: FileCancelReason;
}

export type FileTransferMessage = FileOfferMessage | FileRequestMessage | FileAcceptMessage | FileDeclineMessage
  | FileResumeMessage | FileAckMessage | FileEndMessage | FileSavedMessage | FileCancelMessage;

export const FILE_TRANSFER_TYPES: readonly FileTransferMessage['type'][] = Object.freeze([
  'file-offer', 'file-request', 'file-accept', 'file-decline', 'file-resume', 'file-ack', 'file-end', 'file-saved', 'file-cancel',
]);
export const FILE_DECLINE_REASONS: readonly FileDeclineReason[] = Object.freeze(['declined', 'too-large', 'busy', 'unavailable']);
export const FILE_CANCEL_REASONS: readonly FileCancelReason[] = Object.freeze(['cancelled', 'failed', 'corrupt', 'refused']);
/** Largest transfer number. */
export const MAX_TRANSFER_ID = 0x7fffffff;
/**
 * Most file bytes a sender has in flight beyond the receiver's last `file-ack`, each way:
 * input and the screen never wait behind more than this (a few milliseconds on a fast
 * link), and it bounds what the relay may have to buffer for a transfer.
 */
export const FILE_WINDOW_BYTES = 256 * 1024;
/** Longest file name in an offer, in UTF-16 units. */
export const MAX_FILE_NAME_LENGTH = 255;
/** Largest file the protocol can describe (a side's own limit is usually far lower). */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;
/** Most transfers one session runs at once (each way together); more are declined `busy`. */
export const MAX_TRANSFERS_AT_ONCE = 4;

/**
 * Peer → peer: a message sealed with the session's keys. The relay sees which kind of
 * message it is (`inner`, so it can still refuse input in a view-only session), its
 * record number `n` and the size; `box` is the ciphertext and its tag (base64url).
 */
export interface SealedMessage {
  readonly type: 'sealed';
  readonly inner: SealableType;
  readonly n: number;
  readonly box: string;
}

/** The message types that travel sealed between peers of version 2. */
export type SealableType = 'introduce' | 'input' | 'screen-info' | 'refresh' | 'quality' | 'cursor-shape' | 'cursor-pos'
  | 'select-display' | 'chat' | 'clipboard' | 'clipboard-request' | 'recording-started' | 'recording-stopped'
  | FileTransferMessage['type'];

export const SEALABLE_TYPES: readonly SealableType[] = Object.freeze([
  'introduce', 'input', 'screen-info', 'refresh', 'quality', 'cursor-shape', 'cursor-pos', 'select-display', 'chat',
  'clipboard', 'clipboard-request', 'recording-started', 'recording-stopped', ...FILE_TRANSFER_TYPES,
]);
export const E2E_FAILURE_REASONS: readonly E2eFailureReason[] = Object.freeze(['mismatch', 'incomplete-code', 'tampered']);

/** Bytes of the relay's session binding in `e2e-start`. */
export const E2E_BINDING_BYTES = 16;
/** Bytes of a key share (an encoded ristretto255 element) and of a confirmation tag. */
export const E2E_SHARE_BYTES = 32;
export const E2E_MAC_BYTES = 32;
/** Largest sealed box (ciphertext and tag) of a text message, in bytes before base64url. */
export const MAX_SEALED_BOX_BYTES = 32 * 1024;

// ---- resume (PROTOCOL.md §14): a dropped peer comes back into its session ----------

/**
 * Relay → peer (that said `resume` in `hello`), in a session that can be resumed: the
 * credential to come back with if this socket drops, valid for one use. Sent before
 * `paired` and after each `resumed` (a new one each time: the old one stops working).
 */
export interface ResumeTokenMessage {
  readonly type: 'resume-token';
  /** 32 random bytes, base64url. A secret: never logged, never shown. */
  readonly token: string;
  /** How long after a drop the session waits for this side to come back. */
  readonly graceMs: number;
}

/** Peer → relay, instead of `register`/`join` on a new socket: take my place back in my session. */
export interface ResumeMessage {
  readonly type: 'resume';
  readonly token: string;
}

/** Relay → the peer that resumed: back in the session, as it was (`paired`'s members). */
export interface ResumedMessage {
  readonly type: 'resumed';
  readonly sessionId: string;
  readonly viewOnly: boolean;
  readonly peer: PeerInfo;
}

/** Relay → the side still connected: the other side dropped; it has `graceMs` to come back. */
export interface PeerAwayMessage {
  readonly type: 'peer-away';
  readonly graceMs: number;
}

/** Relay → the side still connected: the other side is back; send again what it has not acknowledged. */
export interface PeerBackMessage {
  readonly type: 'peer-back';
}

/**
 * Peer → peer, in clear, in a session that can be resumed: this side holds every sealed
 * text record of the other side numbered below `n` (the next one it expects), so the
 * sender may forget them. A forged or lost acknowledgement cannot lose anything unnoticed:
 * a record forgotten too early leaves a gap, which the receiver refuses.
 */
export interface AckMessage {
  readonly type: 'ack';
  readonly n: number;
}

/** Bytes of a resume credential. */
export const RESUME_TOKEN_BYTES = 32;

export type ControlMessage =
  | HelloMessage | WelcomeMessage | RegisterMessage | CodeMessage | JoinMessage
  | WaitingConsentMessage | ConsentRequestMessage | ConsentMessage | PairedMessage
  | PeerLeftMessage | ErrorMessage | ByeMessage | InputMessage | ScreenInfoMessage
  | RefreshMessage | QualityMessage
  | E2eStartMessage | E2eShareMessage | E2eConfirmMessage | E2eFailedMessage | IntroduceMessage | SealedMessage
  | CursorShapeMessage | CursorPosMessage | SelectDisplayMessage | ChatMessage | ClipboardMessage | ClipboardRequestMessage
  | RecordingStartedMessage | RecordingStoppedMessage | FileTransferMessage
  | ResumeTokenMessage | ResumeMessage | ResumedMessage | PeerAwayMessage | PeerBackMessage | AckMessage;

export type ControlType = ControlMessage['type'];

export const CONTROL_TYPES: readonly ControlType[] = Object.freeze([
  'hello', 'welcome', 'register', 'code', 'join', 'waiting-consent', 'consent-request', 'consent',
  'paired', 'peer-left', 'error', 'bye', 'input', 'screen-info', 'refresh', 'quality',
  'e2e-start', 'e2e-share', 'e2e-confirm', 'e2e-failed', 'introduce', 'sealed', 'cursor-shape', 'cursor-pos',
  'select-display', 'chat', 'clipboard', 'clipboard-request', 'recording-started', 'recording-stopped',
  'resume-token', 'resume', 'resumed', 'peer-away', 'peer-back', 'ack', ...FILE_TRANSFER_TYPES,
]);

/** Longest name (`name`, `technicianName`, `app`). */
export const MAX_NAME_LENGTH = 64;
/**
 * Longest chat message, in UTF-16 units: a long explanation fits, and even all of it in
 * six-byte JSON escapes stays inside one sealed box (MAX_SEALED_BOX_BYTES).
 */
export const MAX_CHAT_TEXT_LENGTH = 4000;
/** Longest clipboard text, in UTF-16 units: the same bound as a chat message, for the same reason. */
export const MAX_CLIPBOARD_TEXT_LENGTH = MAX_CHAT_TEXT_LENGTH;
export const CLIPBOARD_PROBLEMS: readonly ClipboardProblem[] = Object.freeze(['too-long', 'unavailable']);
/** Most displays listed in `screen-info`. */
export const MAX_DISPLAYS = 16;
export const PEER_LEFT_REASONS: readonly PeerLeftReason[] = Object.freeze(['bye', 'closed', 'timeout', 'stopped', 'error']);
export const REFRESH_REASONS: readonly RefreshReason[] = Object.freeze(['requested', 'dropped', 'joined']);
/** An access code: exactly six ASCII digits. */
export const ACCESS_CODE_PATTERN = /^[0-9]{6}$/;
/** Largest cursor shape, in pixels each way (a 64 × 64 shape is 16 KiB of RGBA, 22 KiB in base64url). */
export const MAX_CURSOR_SIZE = 64;
/** Shapes each side remembers: the agent does not send again, and the page keeps, the last this many. */
export const CURSOR_SHAPE_CACHE = 32;
/** Most `features` in `introduce`, and their longest name. */
export const MAX_FEATURES = 16;
export const MAX_FEATURE_LENGTH = 32;
