import type { PeerLeftReason } from '../../../protocol';

/**
 * Where a technician's session stands. The UI shows one clear sentence per state; the
 * session moves between them only through {@link SessionStateMachine.transition}.
 */
export type SessionStateName =
  | 'idle'
  | 'connecting'
  | 'waiting-consent'
  | 'connected'
  | 'ended'
  | 'declined'
  | 'invalid-code'
  | 'too-many-attempts'
  | 'verification-failed'
  | 'connection-lost';

/** Whose connection dropped in a session that waits for it to resume. */
export type ReconnectingSide = 'customer' | 'technician';

/** Who ended a session that had started. */
export type EndedBy = 'technician' | 'customer' | 'relay';

/**
 * Why end-to-end encryption stopped a session (PROTOCOL.md §12):
 * - `mismatch`: the two sides' keys did not verify (a mistyped secret digit, or someone in
 *   the middle); our own check failed, or the customer's app said so through the relay;
 * - `incomplete-code`: only six digits were typed, the customer's app showed more;
 * - `unsealed`: more than six digits were typed but the relay offered a session in clear,
 *   which the page refuses (§12.7: only an app that seals shows more than six);
 * - `tampered`: a sealed message did not open, came out of order, or a plain one came
 *   where only sealed ones may;
 * - `unavailable`: the code needs sealing but this page has no WebCrypto (it is not in a
 *   secure context), so it does not even join.
 */
export type VerificationFailure = 'mismatch' | 'incomplete-code' | 'unsealed' | 'tampered' | 'unavailable';

/** A state with what the UI needs to word it. */
export type SessionSnapshot =
  | { readonly state: 'idle' }
  /** `attempt` counts from 1; above 1 the socket is being re-opened after a drop. */
  | { readonly state: 'connecting'; readonly attempt: number }
  /** `encrypted`: the two sides verified each other's keys; everything between them is sealed. */
  | { readonly state: 'waiting-consent'; readonly timeoutMs: number; readonly encrypted: boolean }
  /**
   * `reconnecting`: the session is kept while one side's connection came back (PROTOCOL.md
   * §14): `customer` (the relay said its app dropped) or `technician` (this page's own
   * socket dropped and is resuming). Input is kept and delivered once the side is back.
   */
  | { readonly state: 'connected'; readonly viewOnly: boolean; readonly peerName: string; readonly encrypted: boolean; readonly reconnecting?: ReconnectingSide }
  | { readonly state: 'ended'; readonly by: EndedBy; readonly reason?: PeerLeftReason; readonly errorCode?: string }
  | { readonly state: 'declined'; readonly timedOut: boolean }
  | { readonly state: 'invalid-code' }
  | { readonly state: 'too-many-attempts' }
  /** Final: the code is spent (the customer's app shows a new one when it took part). */
  | { readonly state: 'verification-failed'; readonly reason: VerificationFailure }
  /**
   * The socket dropped. With `retryInMs` a new attempt is scheduled (only while the code
   * has not been spent, so the session can still start); without it this is final.
   */
  | { readonly state: 'connection-lost'; readonly retryInMs?: number; readonly attempt?: number; readonly errorCode?: string };

/**
 * The legal moves. Every terminal state may go back to `idle` (the form) or straight to
 * `connecting` (a new code typed in). `connection-lost → connecting` is the automatic retry.
 */
export const SESSION_TRANSITIONS: Readonly<Record<SessionStateName, readonly SessionStateName[]>> = Object.freeze({
  idle: ['connecting'],
  // connecting → connected: a legacy client is paired at once, without a consent question.
  // The key agreement runs while `connecting`, so its failure comes from there; a sealed
  // message that does not open can end any later state too.
  connecting: ['waiting-consent', 'connected', 'invalid-code', 'too-many-attempts', 'verification-failed', 'connection-lost', 'ended', 'idle'],
  'waiting-consent': ['connected', 'declined', 'verification-failed', 'connection-lost', 'ended', 'idle'],
  // connected → connected: a side drops and resumes (its `reconnecting` comes and goes).
  connected: ['connected', 'ended', 'verification-failed', 'connection-lost'],
  ended: ['idle', 'connecting'],
  declined: ['idle', 'connecting'],
  'invalid-code': ['idle', 'connecting'],
  'too-many-attempts': ['idle', 'connecting'],
  'verification-failed': ['idle', 'connecting'],
  'connection-lost': ['connecting', 'idle'],
});

/** States in which nothing is happening any more on the wire. */
export function isFinalState(state: SessionStateName): boolean {
  return state === 'idle' || state === 'ended' || state === 'declined' || state === 'invalid-code'
    || state === 'too-many-attempts' || state === 'verification-failed' || state === 'connection-lost';
}

/** Whether `from → to` is a legal move. */
export function canTransition(from: SessionStateName, to: SessionStateName): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

/** Thrown on an illegal move: a bug in the caller, never something a peer can cause. */
export class IllegalTransitionError extends Error {
  constructor(readonly from: SessionStateName, readonly to: SessionStateName) {
    super(`illegal session transition ${from} → ${to}`);
  }
}

/** Called after every move with the new and the previous state. */
export type SnapshotListener = (next: SessionSnapshot, previous: SessionSnapshot) => void;

/**
 * Holds the current {@link SessionSnapshot}; the one place that changes it. Listeners
 * run synchronously after each move, so the UI never shows a state the session left.
 */
export class SessionStateMachine {
  private current: SessionSnapshot = { state: 'idle' };
  private readonly listeners = new Set<SnapshotListener>();

  get snapshot(): SessionSnapshot {
    return this.current;
  }

  get state(): SessionStateName {
    return this.current.state;
  }

  /** Moves to `next`, or throws {@link IllegalTransitionError}. */
  transition(next: SessionSnapshot): SessionSnapshot {
    const previous = this.current;
    if (!canTransition(previous.state, next.state)) throw new IllegalTransitionError(previous.state, next.state);
    this.current = Object.freeze({ ...next }) as SessionSnapshot;
    for (const listener of [...this.listeners]) listener(this.current, previous);
    return this.current;
  }

  /** Like {@link transition} but returns false instead of throwing (for racing socket events). */
  tryTransition(next: SessionSnapshot): boolean {
    if (!canTransition(this.current.state, next.state)) return false;
    this.transition(next);
    return true;
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
