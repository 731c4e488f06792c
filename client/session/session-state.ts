import type { CodeNotice } from '../contract/ui-events';

/**
 * What the customer's agent is doing, as the person in front of the screen should
 * understand it. The window and the terminal both render these.
 */
export type AgentState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting' }
  /**
   * `code`: every digit the customer reads (the relay's six and the agent's secret ones).
   * `notice`: why this code replaces one a technician just tried, when the agent knows.
   */
  | { readonly kind: 'code'; readonly code: string; readonly expiresAt: number; readonly ttlMs: number; readonly notice?: CodeNotice }
  /** `encrypted`: verified end to end, and `technicianName` came sealed; false: in clear, from the relay. */
  /** `verified`: the technician signed in to a CompuEasys account of that name (the relay vouches for it). */
  | { readonly kind: 'consent'; readonly technicianName: string; readonly timeoutMs: number; readonly encrypted: boolean; readonly verified?: true }
  /** `technicianReconnecting`: the technician's page dropped and the session waits for it (PROTOCOL.md §14). */
  | { readonly kind: 'sharing'; readonly technicianName: string; readonly viewOnly: boolean; readonly since: number; readonly encrypted: boolean; readonly technicianReconnecting?: boolean }
  | { readonly kind: 'ended'; readonly by: 'technician' | 'customer' | 'relay'; readonly reason: string }
  /** `resuming`: the session is kept and this is a try to come back into it (same technician, no new code). */
  | { readonly kind: 'reconnecting'; readonly inMs: number; readonly attempt: number; readonly reason: string; readonly resuming?: boolean }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export type AgentStateKind = AgentState['kind'];

/** Legal moves; anything else is a bug and is refused. */
const ALLOWED: Readonly<Record<AgentStateKind, readonly AgentStateKind[]>> = Object.freeze({
  idle: ['connecting', 'ended'],
  // connecting → sharing: back in a session after a drop (resume).
  connecting: ['code', 'sharing', 'reconnecting', 'failed', 'ended'],
  code: ['code', 'consent', 'reconnecting', 'failed', 'ended', 'connecting'],
  consent: ['code', 'sharing', 'reconnecting', 'failed', 'ended'],
  // sharing → sharing: the technician's page drops and comes back while the session waits.
  sharing: ['sharing', 'ended', 'reconnecting', 'failed'],
  ended: ['connecting'],
  reconnecting: ['connecting', 'ended'],
  failed: ['connecting', 'ended'],
});

class IllegalAgentTransition extends Error {}

export function checkTransition(from: AgentStateKind, to: AgentStateKind): void {
  if (!ALLOWED[from].includes(to)) throw new IllegalAgentTransition(`agent cannot go from ${from} to ${to}`);
}
