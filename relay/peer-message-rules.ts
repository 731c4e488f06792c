import { BinaryKind, FILE_CHUNK_HEADER_LENGTH, PeerFeature, SEALED_OVERHEAD, type ControlMessage, type Role, type SealableType } from '../protocol';
import type { SessionState } from './session';

/**
 * Where a WebSocket peer stands, as far as what it may send: before `hello`
 * (`handshake`), after it but outside a session (`ready`), or in a session of that state.
 */
export type Phase = 'handshake' | 'ready' | Exclude<SessionState, 'ended'>;

/** Whether the peer's session seals (both peers speak version 2), when it is in one. */
export type Sealing = 'plain' | 'sealed';

/**
 * Who may send a message (`any`: before hello the role is not known yet), in which
 * phases, and, for peer-to-peer messages, in which kind of session: in a sealed session
 * they must travel sealed, in a plain one they cannot.
 */
export interface SendRule {
  readonly from: Role | 'any';
  readonly in: readonly Phase[];
  readonly session?: Sealing;
}

const AFTER_HELLO: readonly Phase[] = Object.freeze(['ready', 'waiting', 'agreeing', 'pending-consent', 'paired']);
const SEALED_SESSION: readonly Phase[] = Object.freeze(['agreeing', 'pending-consent', 'paired']);

/**
 * Which peer may send which text message in which phase. A type that is not listed (a
 * relay → peer type such as `welcome`) is never accepted from a peer. A message sent by
 * the wrong role, in the wrong phase or in the wrong kind of session is answered
 * RS_ERR_PROTO_UNEXPECTED and ignored (docs/PROTOCOL.md §3.4). To add a peer → relay
 * message type: add its row here and its handler in WsConnection's `handlers`; the
 * compiler asks for the handler.
 */
export const TEXT_RULES = Object.freeze({
  hello: { from: 'any', in: ['handshake'] },
  register: { from: 'client', in: ['ready', 'waiting'] },
  join: { from: 'technician', in: ['ready'] },
  resume: { from: 'any', in: ['ready'] },
  consent: { from: 'client', in: ['pending-consent'] },
  bye: { from: 'any', in: AFTER_HELLO },
  input: { from: 'technician', in: ['paired'], session: 'plain' },
  refresh: { from: 'technician', in: ['paired'], session: 'plain' },
  quality: { from: 'technician', in: ['paired'], session: 'plain' },
  'screen-info': { from: 'client', in: ['paired'], session: 'plain' },
  'e2e-share': { from: 'any', in: ['agreeing'], session: 'sealed' },
  'e2e-confirm': { from: 'any', in: ['agreeing'], session: 'sealed' },
  'e2e-failed': { from: 'any', in: SEALED_SESSION, session: 'sealed' },
  sealed: { from: 'any', in: SEALED_SESSION, session: 'sealed' },
  ack: { from: 'any', in: ['paired'], session: 'sealed' },
} as const satisfies Readonly<Partial<Record<ControlMessage['type'], SendRule>>>);

/**
 * What may travel inside `sealed`, by its `inner` type: the relay cannot read the body,
 * but it still knows who may say what when (input only from a paired technician, so a
 * view-only session stays view-only even for sealed input).
 */
export const SEALED_RULES: Readonly<Record<SealableType, SendRule>> = Object.freeze({
  introduce: { from: 'any', in: ['pending-consent'] },
  input: { from: 'technician', in: ['paired'] },
  refresh: { from: 'technician', in: ['paired'] },
  quality: { from: 'technician', in: ['paired'] },
  'screen-info': { from: 'client', in: ['paired'] },
  'cursor-shape': { from: 'client', in: ['paired'] },
  'cursor-pos': { from: 'client', in: ['paired'] },
  'select-display': { from: 'technician', in: ['paired'] },
  chat: { from: 'any', in: ['paired'] },
  clipboard: { from: 'any', in: ['paired'] },
  'clipboard-request': { from: 'technician', in: ['paired'] },
  'recording-started': { from: 'technician', in: ['paired'] },
  'recording-stopped': { from: 'technician', in: ['paired'] },
  // Files: the technician numbers every transfer (offers and requests); either side sends
  // or receives, so the rest goes either way. The customer accepts each file (or picks it),
  // which is why a view-only session may carry them too.
  'file-offer': { from: 'any', in: ['paired'] },
  'file-request': { from: 'technician', in: ['paired'] },
  'file-accept': { from: 'any', in: ['paired'] },
  'file-decline': { from: 'any', in: ['paired'] },
  'file-resume': { from: 'any', in: ['paired'] },
  'file-ack': { from: 'any', in: ['paired'] },
  'file-end': { from: 'any', in: ['paired'] },
  'file-saved': { from: 'any', in: ['paired'] },
  'file-cancel': { from: 'any', in: ['paired'] },
});

/**
 * Sealed messages that act on the customer's computer, refused in a view-only session
 * (RS_ERR_SESSION_VIEW_ONLY) like input: the customer allowed watching, not touching.
 * The clipboard both ways: writing it changes the computer, reading it may give away
 * what the customer copied (a password) beyond what the screen shows.
 */
export const CONTROL_ONLY_SEALED: ReadonlySet<SealableType> = new Set<SealableType>(['input', 'clipboard', 'clipboard-request']);

/**
 * What this relay tells peers of a sealing version, in `welcome`, that it routes beyond
 * version 2's first types: `cursor` (the `cursor-shape` and `cursor-pos` rows above),
 * `displays` (`select-display`), `chat`, `clipboard` (`clipboard`, `clipboard-request`),
 * `recording` (`recording-started`, `recording-stopped`), `scaled-frames` (the FRAME flag
 * SCALED, which checkEnvelope knows), `resume` (PROTOCOL.md §14: `resume` and `ack`)
 * unless its grace is 0 and `files` (the `file-…` rows) unless its file budget is 0. An older relay would end a socket that sent them.
 */
export const RELAY_FEATURES: readonly string[] = Object.freeze([
  PeerFeature.CURSOR, PeerFeature.DISPLAYS, PeerFeature.CHAT, PeerFeature.CLIPBOARD, PeerFeature.RECORDING, PeerFeature.SCALED_FRAMES,
  PeerFeature.RESUME, PeerFeature.FILES,
]);

/** {@link RELAY_FEATURES} as this relay's options have them (`resume` needs a grace, `files` a file budget). */
export function relayFeatures(options: { readonly resumeGraceMs: number; readonly maxFileBytesPerSession: number }): readonly string[] {
  return RELAY_FEATURES.filter((f) => (f !== PeerFeature.RESUME || options.resumeGraceMs > 0)
    && (f !== PeerFeature.FILES || options.maxFileBytesPerSession > 0));
}

/** The file bytes a sealed FILE_CHUNK of `length` bytes carries (its header and seal taken off). */
export function fileBytesOfChunk(length: number): number {
  return Math.max(0, length - FILE_CHUNK_HEADER_LENGTH - SEALED_OVERHEAD);
}

/** The text message types a peer may ever send. */
export type PeerMessageType = keyof typeof TEXT_RULES;

/**
 * The same for binary messages, by envelope kind. A binary message from the wrong role
 * is malformed (close 4000), not merely unexpected: a FRAME from a technician or a
 * FRAME_ACK from a client can only be a broken or hostile peer. Whether it must be
 * sealed follows the session (the envelope's SEALED flag, checked with the envelope).
 */
export const BINARY_RULES: Readonly<Record<number, SendRule>> = Object.freeze({
  [BinaryKind.FRAME]: { from: 'client', in: ['paired'] },
  [BinaryKind.FRAME_ACK]: { from: 'technician', in: ['paired'] },
  // Either way; sealed only (checkEnvelope refuses one in clear), never dropped, counted against the session's file budget.
  [BinaryKind.FILE_CHUNK]: { from: 'any', in: ['paired'] },
});

export function isPeerMessageType(type: ControlMessage['type']): type is PeerMessageType {
  return Object.prototype.hasOwnProperty.call(TEXT_RULES, type);
}

/** True when `rule` lets a peer of `role` send in `phase`, in a session of this `sealing` (if in one). */
export function allows(rule: SendRule, role: Role | undefined, phase: Phase, sealing?: Sealing): boolean {
  if (rule.session !== undefined && rule.session !== sealing) return false;
  return (rule.from === 'any' || rule.from === role) && rule.in.includes(phase);
}
