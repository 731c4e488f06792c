import { BinaryKind, type ControlMessage, type Role } from '../protocol';
import type { SessionState } from './session';

/**
 * Where a WebSocket peer stands, as far as what it may send: before `hello`
 * (`handshake`), after it but outside a session (`ready`), or in a session of that state.
 */
export type Phase = 'handshake' | 'ready' | Exclude<SessionState, 'ended'>;

/** Who may send a message (`any`: before hello the role is not known yet) and in which phases. */
export interface SendRule {
  readonly from: Role | 'any';
  readonly in: readonly Phase[];
}

const AFTER_HELLO: readonly Phase[] = Object.freeze(['ready', 'waiting', 'pending-consent', 'paired']);

/**
 * Which peer may send which text message in which phase. A type that is not listed (a
 * relay → peer type such as `welcome`) is never accepted from a peer. A message sent by
 * the wrong role or in the wrong phase is answered RS_ERR_PROTO_UNEXPECTED and ignored
 * (docs/PROTOCOL.md §3.4). To add a peer → relay message type: add its row here and
 * its handler in WsConnection's `handlers`; the compiler asks for the handler.
 */
export const TEXT_RULES = Object.freeze({
  hello: { from: 'any', in: ['handshake'] },
  register: { from: 'client', in: ['ready', 'waiting'] },
  join: { from: 'technician', in: ['ready'] },
  consent: { from: 'client', in: ['pending-consent'] },
  bye: { from: 'any', in: AFTER_HELLO },
  input: { from: 'technician', in: ['paired'] },
  refresh: { from: 'technician', in: ['paired'] },
  quality: { from: 'technician', in: ['paired'] },
  'screen-info': { from: 'client', in: ['paired'] },
} as const satisfies Readonly<Partial<Record<ControlMessage['type'], SendRule>>>);

/** The text message types a peer may ever send. */
export type PeerMessageType = keyof typeof TEXT_RULES;

/**
 * The same for binary messages, by envelope kind. A binary message from the wrong role
 * is malformed (close 4000), not merely unexpected: a FRAME from a technician or a
 * FRAME_ACK from a client can only be a broken or hostile peer.
 */
export const BINARY_RULES: Readonly<Record<number, SendRule>> = Object.freeze({
  [BinaryKind.FRAME]: { from: 'client', in: ['paired'] },
  [BinaryKind.FRAME_ACK]: { from: 'technician', in: ['paired'] },
});

export function isPeerMessageType(type: ControlMessage['type']): type is PeerMessageType {
  return Object.prototype.hasOwnProperty.call(TEXT_RULES, type);
}

/** True when `rule` lets a peer of `role` send in `phase`. */
export function allows(rule: SendRule, role: Role | undefined, phase: Phase): boolean {
  return (rule.from === 'any' || rule.from === role) && rule.in.includes(phase);
}
