import type { InputEvent } from './input';

/**
 * JSON control messages. Every text message is one JSON object with a `type`. The
 * relay routes on `type` (and `seq` for input) alone; peer-to-peer bodies (`event`,
 * `displays` …) are what end-to-end encryption will later seal, so the relay must
 * never depend on them to route.
 */

export type Role = 'client' | 'technician';

/** First message of every peer: the version handshake. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly version: number;
  readonly role: Role;
  /** Free-form application name and version, for diagnostics (≤ 64 chars). */
  readonly app?: string;
}

/** Relay's answer to a supported `hello`. */
export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly version: number;
  /** The relay pings this often; a peer silent for two intervals is dropped. */
  readonly heartbeatMs: number;
  readonly maxFrameBytes: number;
  readonly maxTextBytes: number;
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

export type ControlMessage =
  | HelloMessage | WelcomeMessage | RegisterMessage | CodeMessage | JoinMessage
  | WaitingConsentMessage | ConsentRequestMessage | ConsentMessage | PairedMessage
  | PeerLeftMessage | ErrorMessage | ByeMessage | InputMessage | ScreenInfoMessage
  | RefreshMessage | QualityMessage;

export type ControlType = ControlMessage['type'];

export const CONTROL_TYPES: readonly ControlType[] = Object.freeze([
  'hello', 'welcome', 'register', 'code', 'join', 'waiting-consent', 'consent-request', 'consent',
  'paired', 'peer-left', 'error', 'bye', 'input', 'screen-info', 'refresh', 'quality',
]);

/** Longest name (`name`, `technicianName`, `app`). */
export const MAX_NAME_LENGTH = 64;
/** Most displays listed in `screen-info`. */
export const MAX_DISPLAYS = 16;
export const PEER_LEFT_REASONS: readonly PeerLeftReason[] = Object.freeze(['bye', 'closed', 'timeout', 'stopped', 'error']);
export const REFRESH_REASONS: readonly RefreshReason[] = Object.freeze(['requested', 'dropped', 'joined']);
/** An access code: exactly six ASCII digits. */
export const ACCESS_CODE_PATTERN = /^[0-9]{6}$/;
